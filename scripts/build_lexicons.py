"""Build the specialty lexicons (``<SPECIALTY>.tsv``; re-runnable, deterministic).

``python scripts/build_lexicons.py [--out DIR]`` writes one ``<SPECIALTY>.tsv``
per specialty (columns ``term``, ``category``, ``source``) into ``DIR``, by
default ``src/medscribe/data/lexicons/``; ``SOURCES.md`` beside them is written
by hand and says where the seeds came from.

Seeds. Each specialty has one block per category (:data:`CATEGORIES`), plus the
shared blocks of :data:`COMMON`. A block is a comma-separated list; every entry
is one term, and an entry of several words ("event monitor", "transcatheter
aortic valve implantation") is one multi-word term, never a list of words.

Words lifted out of a multi-word term. A word of a multi-word term becomes a
term of its own only when it is a rare medical word: one of ``hunspell-en-med``
that ordinary English (``wamerican``) lacks, as
:func:`medscribe.engine.wordlists.rare_medical_words` defines it ("aortic",
"transcatheter"; never "event", "flow" or "test"). For a medication the
medical list is the drug dictionary: "sacubitril" of "sacubitril valsartan" is
lifted, the salt "succinate" of "metoprolol succinate" is not.

Categories. A term is filed by what it is, the same way in every specialty: the
category of the block whose entry names it alone (in any specialty). A lifted
word that no entry names alone takes the category of the multi-word terms it was
lifted from. The build stops (:class:`SeedError`) when an entry sits in two
categories, or when a lifted word's terms disagree and no entry settles it;
nothing is filed by the order of the blocks.

Sources. Every term is checked against registry sources and spelt as they spell it:

* medications: the drug dictionary shipped inside the PyPI package
  ``drug-named-entity-recognition`` (MedlinePlus/DrugBank names); a medication
  that neither it nor ``hunspell-en-med`` knows is dropped and reported, so no
  invented drug name reaches a lexicon;
* other terms: Debian's ``hunspell-en-med`` or, for the remaining words of a
  multi-word term, ``wamerican`` (both through the word lists medscribe ships,
  :mod:`medscribe.engine.wordlists`); a term with a word that neither knows is
  kept as ``curated`` (abbreviations, eponyms, hyphenated forms), so the source
  column says exactly where each entry stands.
"""

from __future__ import annotations

import argparse
import bz2
import pickle
import sys
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "src" / "medscribe" / "data" / "lexicons"

#: The categories of the ``category`` column, in the order blocks are read.
CATEGORIES = ("medication", "procedure", "lab", "anatomy", "finding", "abbreviation")

# --------------------------------------------------------------------------- seeds
#: Blocks shared by every specialty (chronic medication lists and the basic
#: examination are read out in every visit).
COMMON: dict[str, str] = {
    "medication": """
        acetaminophen, ibuprofen, naproxen, aspirin, tramadol, oxycodone, hydrocodone,
        morphine, lisinopril, losartan, valsartan, amlodipine, hydrochlorothiazide,
        chlorthalidone, metoprolol, carvedilol, atenolol, furosemide, spironolactone,
        atorvastatin, rosuvastatin, simvastatin, pravastatin, ezetimibe, metformin,
        glipizide, glimepiride, sitagliptin, empagliflozin, dapagliflozin, semaglutide,
        liraglutide, dulaglutide, insulin, insulin glargine, levothyroxine, omeprazole,
        pantoprazole, famotidine, ondansetron, prednisone, methylprednisolone,
        dexamethasone, sertraline, escitalopram, citalopram, fluoxetine, duloxetine,
        venlafaxine, bupropion, trazodone, mirtazapine, gabapentin, pregabalin,
        alprazolam, lorazepam, clonazepam, zolpidem, warfarin, apixaban, rivaroxaban,
        dabigatran, clopidogrel, heparin, enoxaparin, amoxicillin, azithromycin,
        doxycycline, cephalexin, ciprofloxacin, levofloxacin, nitrofurantoin,
        trimethoprim, sulfamethoxazole, cetirizine, loratadine, fexofenadine,
        montelukast, albuterol, fluticasone, budesonide, tiotropium, allopurinol,
        colchicine, tamsulosin, finasteride, docusate, senna, polyethylene glycol,
        loperamide, meclizine, cyclobenzaprine
    """,
    "procedure": "auscultation, palpation",
    "lab": "creatinine, hemoglobin, hematocrit, platelets, sodium, potassium, glucose",
    "anatomy": """
        bilateral, unilateral, anterior, posterior, lateral, medial, proximal, distal,
        superior, inferior
    """,
    "finding": """
        hypertension, hyperlipidemia, diabetes, diabetes mellitus, hypothyroidism,
        obesity, dyspnea, tachycardia, bradycardia, edema, erythema, tenderness, nausea,
        vomiting, diarrhea, constipation, dizziness, syncope, fatigue, malaise, fever,
        chills, leukocytosis
    """,
    "abbreviation": "BMP, CBC, CMP, ECG, EKG, MRI, CT, PRN, BID, TID, QID, IV",
}

SEEDS: dict[str, dict[str, str]] = {
    "PRIMARYCARE": {
        "medication": """
            hydroxyzine, benzonatate, dextromethorphan, guaifenesin, pseudoephedrine,
            phenylephrine, diphenhydramine, prednisolone, triamcinolone, hydrocortisone,
            clotrimazole, terbinafine, fluconazole, nystatin, mupirocin, valacyclovir,
            acyclovir, oseltamivir, amoxicillin clavulanate, penicillin, clindamycin,
            metronidazole, cefdinir, ceftriaxone, doxazosin, clonidine, hydralazine,
            olmesartan, irbesartan, telmisartan, benazepril, enalapril, ramipril,
            diltiazem, verapamil, nifedipine, pioglitazone, linagliptin, tirzepatide,
            alendronate, ergocalciferol, cholecalciferol, cyanocobalamin, ferrous sulfate,
            folic acid, methotrexate, hydroxychloroquine, sumatriptan, topiramate,
            buspirone, paroxetine, amitriptyline, nortriptyline, varenicline, nicotine,
            naltrexone, buprenorphine, sildenafil, tadalafil, estradiol,
            medroxyprogesterone, norethindrone, levonorgestrel, ketorolac, meloxicam,
            diclofenac, celecoxib, methocarbamol, tizanidine, baclofen, lidocaine,
            mometasone, azelastine, ipratropium, salmeterol, formoterol, vilanterol,
            umeclidinium
        """,
        "procedure": """
            colonoscopy, mammogram, spirometry, electrocardiogram, immunization,
            vaccination, tetanus booster, influenza vaccine, pneumococcal vaccine,
            zoster vaccine, papanicolaou smear, cryotherapy, biopsy, excision, incision,
            incision and drainage, drainage, audiometry, tympanometry, venipuncture,
            phlebotomy, echocardiogram, ultrasonography, densitometry, sigmoidoscopy,
            endoscopy, dermatoscopy, injection, aspiration, suture, debridement
        """,
        "lab": "urinalysis",
        "anatomy": """
            tympanic membrane, oropharynx, nasopharynx, turbinates, tonsils, uvula,
            sclera, conjunctiva, cornea, pupils, thyroid, cervical, lymph nodes,
            supraclavicular, axillary, inguinal, trachea, sternum, clavicle, scapula,
            thorax, abdomen, epigastric, periumbilical, hypogastric, umbilicus, liver,
            spleen, gallbladder, pancreas, esophagus, duodenum, colon, rectum, prostate,
            lumbar, thoracic, sacral, coccyx, paraspinal, sciatic, patella, meniscus,
            ligament, tendon, Achilles tendon, plantar, plantar fascia, metatarsal,
            carpal, metacarpal, phalanges
        """,
        "finding": """
            pharyngitis, sinusitis, otitis, otitis media, rhinitis, bronchitis,
            pneumonia, influenza, tetanus, zoster, conjunctivitis, cellulitis, dermatitis, eczema,
            psoriasis, urticaria, seborrheic keratosis, keratoses, actinic keratosis,
            nevus, melanoma, tinea, onychomycosis, candidiasis, impetigo, folliculitis,
            abscess, lipoma, hyperglycemia, hypoglycemia, polyuria, polydipsia,
            polyphagia, neuropathy, retinopathy, nephropathy, microalbuminuria,
            prediabetes, dyslipidemia, hypertriglyceridemia, gastroenteritis, gastritis,
            dyspepsia, reflux, odynophagia, dysphagia, melena, hematochezia, hemorrhoids,
            diverticulosis, cholelithiasis, hepatomegaly, splenomegaly,
            hepatosplenomegaly, lymphadenopathy, thyromegaly, goiter, osteoarthritis,
            osteoporosis, osteopenia, gout, tendinitis, bursitis, sciatica,
            radiculopathy, fibromyalgia, insomnia, anxiety, depression, rhonchi, rales,
            crackles, wheezing, stridor, murmur, nontender, nondistended, anemia,
            hyperthyroidism, asthma, emphysema, apnea, sleep apnea, vertigo, tinnitus,
            migraine, rhinorrhea, congestion, myalgia, arthralgia, dysuria, hematuria
        """,
        "abbreviation": "A1C, TSH, LDL, HDL, COPD, GERD, BMI, UTI, URI, NSAID, PSA",
    },
    "CARDIOLOGY": {
        "medication": """
            bisoprolol, nebivolol, propranolol, labetalol, sacubitril,
            sacubitril valsartan, metoprolol succinate, metoprolol tartrate, eplerenone,
            torsemide, bumetanide, metolazone, hydralazine, isosorbide mononitrate,
            isosorbide dinitrate, nitroglycerin, ranolazine, ivabradine, digoxin,
            amiodarone, dronedarone, sotalol, dofetilide, flecainide, propafenone,
            adenosine, diltiazem, verapamil, nifedipine, ticagrelor, prasugrel,
            cangrelor, edoxaban, bivalirudin, argatroban, fondaparinux, alteplase,
            tenecteplase, eptifibatide, tirofiban, dobutamine, dopamine, milrinone,
            norepinephrine, epinephrine, vasopressin, phenylephrine, evolocumab,
            alirocumab, icosapent ethyl, fenofibrate, gemfibrozil, colestipol,
            inclisiran, bempedoic acid, mavacamten, vericiguat, finerenone, sildenafil,
            bosentan, ambrisentan, macitentan, riociguat, treprostinil, iodixanol,
            iohexol, lidocaine, sestamibi, thallium
        """,
        "procedure": """
            electrocardiogram, echocardiogram, transthoracic echocardiogram,
            transesophageal echocardiogram, cardiac catheterization, catheterization,
            angiography, angiogram, angioplasty, ventriculography,
            percutaneous coronary intervention, stent, stenting, atherectomy,
            cardioversion, defibrillation, ablation, pacemaker, defibrillator, telemetry,
            Holter monitor, event monitor, stress test, treadmill stress test,
            nuclear stress test, myocardial perfusion imaging, scintigraphy,
            coronary artery bypass grafting, endarterectomy, valvuloplasty,
            valve replacement, annuloplasty, transcatheter aortic valve implantation,
            pericardiocentesis, electrophysiology study, cardiac rehabilitation,
            guidewire, sheath, fractional flow reserve, intravascular ultrasound,
            fluoroscopy, hemostasis, pullback, drug eluting stent,
            dual antiplatelet therapy
        """,
        "lab": "troponin, natriuretic peptide",
        "anatomy": """
            atrium, atria, ventricle, ventricular, atrial, septum, septal, myocardium,
            myocardial, pericardium, pericardial, endocardium, epicardium, aorta, aortic,
            aortic arch, ascending aorta, descending aorta, aortic valve, mitral,
            mitral valve, tricuspid, pulmonic, pulmonary, semilunar, chordae tendineae,
            papillary muscle, coronary, coronary artery, coronary arteries, left main,
            left anterior descending, circumflex, obtuse marginal, diagonal branch,
            septal perforator, right coronary artery, posterior descending artery,
            ramus intermedius, saphenous vein graft, internal mammary artery, radial,
            femoral, brachial, carotid, jugular, subclavian, sinoatrial node,
            atrioventricular node, bundle branch, Purkinje fibers, apex, apical,
            inferior wall, anterior wall, lateral wall
        """,
        "finding": """
            angina, unstable angina, stable angina, ischemia, infarction,
            myocardial infarction, atherosclerosis, arteriosclerosis, stenosis,
            regurgitation, insufficiency, prolapse, calcification, thrombus, embolus,
            embolism, aneurysm, dissection, fibrillation, atrial fibrillation, flutter,
            atrial flutter, heart failure, tachyarrhythmia, arrhythmia,
            bradyarrhythmia, ectopy, premature ventricular contractions,
            premature atrial contractions, supraventricular tachycardia,
            ventricular tachycardia, palpitations, orthopnea,
            paroxysmal nocturnal dyspnea, presyncope, lightheadedness, claudication,
            cyanosis, diaphoresis, jugular venous distension, hepatojugular reflux,
            gallop, murmur, friction rub, systolic click, bruit, cardiomegaly,
            cardiomyopathy, hypertrophic cardiomyopathy, dilated cardiomyopathy,
            restrictive cardiomyopathy, takotsubo cardiomyopathy, myocarditis,
            pericarditis, endocarditis, tamponade, effusion, pericardial effusion,
            hypokinesis, akinesis, dyskinesis, ejection fraction, diastolic dysfunction,
            systolic dysfunction, hyperkalemia, hypokalemia, hypomagnesemia,
            QT prolongation, heart block, nonobstructive, obstructive,
            luminal irregularities, plaque, occlusion, restenosis, vasospasm,
            dyslipidemia, dominant, nondominant, hematoma, pseudoaneurysm, fistula
        """,
        "abbreviation": """
            STEMI, NSTEMI, CABG, PCI, TAVR, TEE, TTE, LVEF, LAD, LCX, RCA, BNP, EF, AFib,
            ICD, CRT, DAPT, TIMI
        """,
    },
    "NEUROLOGY": {
        "medication": """
            levetiracetam, lamotrigine, valproate, divalproex, carbamazepine,
            oxcarbazepine, phenytoin, fosphenytoin, lacosamide, topiramate, zonisamide,
            brivaracetam, clobazam, phenobarbital, ethosuximide, primidone, perampanel,
            cenobamate, sumatriptan, rizatriptan, zolmitriptan, eletriptan, erenumab,
            fremanezumab, galcanezumab, rimegepant, ubrogepant, atogepant,
            onabotulinumtoxinA, botulinum, amitriptyline, nortriptyline, propranolol,
            verapamil, donepezil, rivastigmine, galantamine, memantine, lecanemab,
            aducanumab, levodopa, carbidopa, pramipexole, ropinirole, rotigotine,
            rasagiline, selegiline, safinamide, entacapone, amantadine,
            trihexyphenidyl, benztropine, riluzole, edaravone, pyridostigmine,
            interferon, glatiramer, natalizumab, ocrelizumab, ofatumumab, fingolimod,
            siponimod, dimethyl fumarate, teriflunomide, cladribine, alemtuzumab,
            baclofen, tizanidine, dantrolene, alteplase, tenecteplase, clopidogrel,
            dipyridamole, nimodipine, tetrabenazine, deutetrabenazine
        """,
        "procedure": """
            electroencephalogram, electromyography, nerve conduction study,
            lumbar puncture, tomography, angiography, perfusion imaging, thrombectomy,
            thrombolysis, craniotomy, craniectomy, ventriculostomy, shunt,
            polysomnography, neuropsychological testing, video telemetry,
            magnetic resonance imaging, diffusion weighted imaging, noncontrast
        """,
        "anatomy": """
            cerebrum, cerebellum, brainstem, midbrain, pons, medulla, thalamus,
            hypothalamus, hippocampus, amygdala, basal ganglia, caudate, putamen,
            globus pallidus, substantia nigra, cortex, frontal lobe, parietal lobe,
            temporal lobe, occipital lobe, insula, corpus callosum, ventricles,
            meninges, dura, arachnoid, subarachnoid, cerebrospinal fluid, spinal cord,
            cauda equina, vertebral artery, basilar artery, carotid,
            middle cerebral artery, circle of Willis, trigeminal, facial nerve, vagus,
            hypoglossal, optic nerve, oculomotor, abducens, trochlear, peroneal,
            median nerve, ulnar, radial, sciatic, plexus
        """,
        "finding": """
            stroke, ischemic, ischemic stroke, hemorrhagic, hemorrhagic stroke, infarct,
            lacunar, lacunar infarct, penumbra, collaterals, transient ischemic attack,
            aphasia, anomia, dysarthria, dysphagia, hemiparesis, hemiplegia,
            paresthesia, hypoesthesia, dysesthesia, neglect, hemianopia, diplopia,
            nystagmus, ptosis, papilledema, ataxia, dysmetria, tremor, bradykinesia,
            rigidity, cogwheel rigidity, dystonia, chorea, myoclonus, fasciculations,
            spasticity, clonus, hyperreflexia, hyporeflexia, areflexia, Babinski,
            downgoing, upgoing, pronator drift, Romberg, gait, seizure, epilepsy,
            convulsion, postictal, aura, absence seizure, focal seizure,
            generalized seizure, tonic clonic seizure, status epilepticus, migraine,
            cluster headache, photophobia, phonophobia, scotoma, neuralgia, neuropathy,
            radiculopathy, myelopathy, myasthenia gravis, multiple sclerosis,
            demyelination, Parkinson, Parkinson disease, Alzheimer, Alzheimer disease, dementia,
            cognitive impairment, encephalopathy, delirium, amnesia, vertigo, syncope,
            concussion, hydrocephalus, meningitis, encephalitis, Guillain Barre syndrome,
            amyotrophic lateral sclerosis, Bell palsy, cardioembolic, extraocular
        """,
        "abbreviation": "TIA, EEG, EMG, NIHSS, CSF, MS, ALS, tPA, MCA, ICA, CTA, MRA",
    },
    "ONCOLOGY": {
        "medication": """
            doxorubicin, cyclophosphamide, paclitaxel, docetaxel, nab-paclitaxel,
            carboplatin, cisplatin, oxaliplatin, capecitabine, fluorouracil, leucovorin,
            irinotecan, gemcitabine, pemetrexed, vinorelbine, vincristine, etoposide,
            ifosfamide, bleomycin, dacarbazine, methotrexate, cytarabine, azacitidine,
            decitabine, temozolomide, trastuzumab, pertuzumab, bevacizumab, cetuximab,
            panitumumab, rituximab, pembrolizumab, nivolumab, ipilimumab, atezolizumab,
            durvalumab, osimertinib, erlotinib, imatinib, dasatinib, nilotinib,
            ibrutinib, venetoclax, lenalidomide, bortezomib, daratumumab, olaparib,
            palbociclib, ribociclib, abemaciclib, tamoxifen, letrozole, anastrozole,
            exemestane, fulvestrant, leuprolide, goserelin, enzalutamide, abiraterone,
            bicalutamide, ondansetron, granisetron, palonosetron, aprepitant,
            fosaprepitant, olanzapine, prochlorperazine, metoclopramide, dexamethasone,
            pegfilgrastim, filgrastim, epoetin, darbepoetin, zoledronic acid, denosumab,
            allopurinol, rasburicase, loperamide, lidocaine, hydromorphone, fentanyl,
            morphine, antiemetic
        """,
        "procedure": """
            biopsy, core needle biopsy, lumpectomy, mastectomy, sentinel node biopsy,
            lymph node dissection, resection, hemicolectomy, colectomy, anastomosis,
            lobectomy, pneumonectomy, Whipple procedure, pancreaticoduodenectomy,
            gastrectomy, esophagectomy, radiotherapy, radiation therapy, chemotherapy,
            immunotherapy, adjuvant, neoadjuvant, palliative care, brachytherapy,
            port placement, infusion, transfusion, bone marrow biopsy,
            bone marrow aspiration, staging, positron emission tomography, scintigraphy
        """,
        "lab": "tumor markers, carcinoembryonic antigen, transaminases, bilirubin",
        "anatomy": """
            breast, axilla, axillary lymph nodes, mediastinum, hilum, pleura,
            peritoneum, omentum, mesentery, colon, sigmoid colon, rectum, anus, cecum,
            pancreas, liver, lung, bronchus, esophagus, stomach, ovary, uterus, cervix,
            prostate, bladder, kidney, bone marrow, sentinel node, muscularis propria,
            submucosa, serosa
        """,
        "finding": """
            carcinoma, adenocarcinoma, squamous cell carcinoma, sarcoma, lymphoma,
            leukemia, myeloma, melanoma, metastasis, metastatic, malignant, benign,
            neoplasm, tumor, mass, nodule, lesion, ductal carcinoma in situ,
            invasive ductal carcinoma, invasive lobular carcinoma, estrogen receptor,
            progesterone receptor, receptor positive, receptor negative, HER2 positive,
            triple negative, histologic grade, poorly differentiated,
            moderately differentiated, well differentiated, lymphovascular invasion,
            perineural invasion, surgical margins, remission, recurrence, progression,
            complete response, partial response, neutropenia, febrile neutropenia,
            thrombocytopenia, anemia, leukopenia, pancytopenia, mucositis, stomatitis,
            alopecia, neuropathy, dysesthesia, cachexia, anorexia, emesis,
            hypercalcemia, tumor lysis syndrome, hematochezia, postmenopausal,
            premenopausal
        """,
        "abbreviation": "CEA, PET, ECOG, BRCA, HER2, ER, PR, PD-L1, CA-125, ANC",
    },
    "RADIOLOGY": {
        "medication": """
            iohexol, iodixanol, iopamidol, gadolinium, gadobutrol, gadoterate, barium,
            fluorodeoxyglucose, technetium, lorazepam, diphenhydramine, prednisone,
            methylprednisolone, glucagon
        """,
        "procedure": """
            radiograph, radiography, fluoroscopy, tomography, computed tomography,
            ultrasonography, sonography, ultrasound, magnetic resonance imaging,
            angiography, venography, arteriography, mammography, tomosynthesis,
            densitometry, scintigraphy, cholescintigraphy, myelography, arthrography,
            urography, pyelography, cystography, esophagram, enterography, colonography,
            contrast enhanced, unenhanced, noncontrast, multiplanar reconstructions,
            coronal, sagittal, axial, Doppler, elastography, embolization, drainage,
            biopsy
        """,
        "anatomy": """
            lung apices, lung bases, hilum, hila, mediastinum, pleura, pleural,
            costophrenic angle, diaphragm, pericardium, aorta, pulmonary artery,
            inferior vena cava, cavoatrial junction, liver, hepatic, intrahepatic,
            extrahepatic, biliary, common bile duct, gallbladder, pancreas, spleen,
            kidneys, renal, ureter, bladder, adnexa, ovaries, uterus, appendix, cecum,
            ileum, jejunum, duodenum, mesentery, retroperitoneum, psoas,
            vertebral bodies, osseous structures, pubic symphysis, sacroiliac joint,
            acetabulum, femoral head, humeral head, glenoid, rotator cuff, labrum,
            meniscus, anterior cruciate ligament, calvarium, sella, ventricles, sulci
        """,
        "finding": """
            opacity, consolidation, atelectasis, infiltrate, effusion, pleural effusion,
            pneumothorax, pneumomediastinum, pneumoperitoneum, nodule, mass, granuloma,
            calcification, cardiomegaly, cardiomediastinal silhouette, emphysema,
            bronchiectasis, interstitial, fibrosis, ground glass, ground glass opacity,
            congestion, hypodense, hyperdense, hypoechoic, hyperechoic, isoechoic,
            anechoic, enhancement, attenuation, lesion, cyst, hemangioma, steatosis,
            cirrhosis, ascites, dilatation, hydronephrosis, hydroureter,
            nephrolithiasis, urolithiasis, cholelithiasis, cholecystitis,
            choledocholithiasis, pericholecystic, appendicitis, appendicolith,
            diverticulitis, extraluminal, fluid collection, abscess, lymphadenopathy,
            fracture, displaced, nondisplaced, comminuted, degenerative, spondylosis,
            spondylolisthesis, anterolisthesis, retrolisthesis, stenosis, herniation,
            osteophyte, sclerotic, lytic, blastic, infarct, hemorrhage, hematoma,
            subdural, epidural, midline shift, unremarkable, nonobstructing,
            obstructing, endotracheal tube, nasogastric tube, catheter
        """,
        "abbreviation": "PACS, DICOM, CTA, MRA, KUB, PA, AP, LLQ, RLQ, RUQ, LUQ",
    },
    "UROLOGY": {
        "medication": """
            tamsulosin, alfuzosin, silodosin, doxazosin, terazosin, finasteride,
            dutasteride, oxybutynin, tolterodine, solifenacin, darifenacin, trospium,
            fesoterodine, mirabegron, vibegron, sildenafil, tadalafil, vardenafil,
            avanafil, alprostadil, testosterone, leuprolide, degarelix, relugolix,
            bicalutamide, enzalutamide, apalutamide, darolutamide, abiraterone,
            nitrofurantoin, fosfomycin, ciprofloxacin, levofloxacin, cephalexin,
            trimethoprim, sulfamethoxazole, phenazopyridine, potassium citrate,
            hydrochlorothiazide, allopurinol, tiopronin, bacillus calmette guerin,
            mitomycin, gemcitabine, desmopressin, ketorolac, cefazolin, ceftriaxone,
            gentamicin, ampicillin, hyoscyamine, flavoxate, belladonna,
            onabotulinumtoxinA
        """,
        "procedure": """
            cystoscopy, ureteroscopy, lithotripsy, nephrolithotomy,
            percutaneous nephrolithotomy, nephrectomy, prostatectomy, cystectomy,
            orchiectomy, orchiopexy, vasectomy, circumcision, urodynamics,
            uroflowmetry, postvoid residual, catheterization, transrectal ultrasound,
            fusion biopsy, biopsy, stent, transurethral resection,
            transurethral resection of the prostate,
            transurethral resection of bladder tumor, ureteral stent, stent placement,
            urethroplasty, pyeloplasty, sacral neuromodulation, ureteroscope,
            cystourethroscopy, retrograde pyelogram, pyelography, cystogram, urogram,
            nephrostomy, holmium laser, lithotomy position, basket extraction, dusting,
            fragmentation, transperineal, brachytherapy, cystoprostatectomy,
            ileal conduit, neobladder, urethral sling, artificial urinary sphincter,
            hydrodistension, meatotomy, preoperative, postoperative, perioperative,
            intraoperative
        """,
        "lab": """
            urinalysis, urine culture, urine cytology, cytology, nitrites,
            leukocyte esterase
        """,
        "anatomy": """
            kidney, renal, renal pelvis, pelvis, calyx, calyces, ureter,
            ureteropelvic junction, ureterovesical junction, bladder, detrusor, trigone,
            urethra, prostate, seminal vesicles, vas deferens, epididymis, testis,
            testicle, scrotum, penis, glans, foreskin, perineum, pelvic floor, adrenal,
            urethral, ureters, ureteral, ureteral orifice, bladder neck, verumontanum, prostatic,
            prostatic urethra, bulbar urethra, membranous urethra, papilla,
            infundibulum
        """,
        "finding": """
            nephrolithiasis, urolithiasis, hydronephrosis, hematuria,
            microscopic hematuria, gross hematuria, pyuria, bacteriuria, proteinuria,
            dysuria, urinary frequency, urinary urgency, nocturia, hesitancy,
            intermittency, incontinence, urinary retention, enuresis, prostatitis,
            cystitis, pyelonephritis, urethritis, epididymitis, orchitis, varicocele,
            hydrocele, spermatocele, phimosis, hypospadias, cryptorchidism,
            erectile dysfunction, hypogonadism, infertility, azoospermia,
            benign prostatic hyperplasia, carcinoma, urothelial carcinoma,
            transitional cell carcinoma, adenocarcinoma, Gleason, Gleason score, renal colic,
            flank pain, obstruction, stricture, vesicoureteral reflux,
            hydroureteronephrosis, hydroureter, calculus, calculi, trabeculation,
            diverticulum, detrusor overactivity, hypocitraturia, hypercalciuria,
            hyperoxaluria, hyperuricosuria, cystinuria, struvite, oxalate,
            calcium oxalate, urosepsis, noncancerous
        """,
        "abbreviation": "BPH, PSA, UTI, TURP, TURBT, PCNL, ESWL, BCG, IPSS, PVR, KUB",
    },
}

Blocks = Mapping[str, Sequence[str]]  # category -> terms


class SeedError(ValueError):
    """The seed lists contradict themselves: a term would be filed in two categories."""


class Row(NamedTuple):
    """One line of a lexicon file."""

    term: str
    category: str
    source: str


@dataclass(frozen=True)
class WordLists:
    """The word lists a term is checked against, lower-cased."""

    drugs: frozenset[str]
    medical: frozenset[str]
    english: frozenset[str]

    def liftable(self, word: str, category: str) -> bool:
        """Whether ``word`` of a multi-word ``category`` term is a term of its own."""
        word = word.lower()
        known = self.drugs if category == "medication" else self.medical
        return word in known and word not in self.english


def entries(block: str) -> list[str]:
    """The terms of a comma-separated seed block, inner whitespace collapsed."""
    return [" ".join(part.split()) for part in block.split(",") if part.strip()]


def specialty_blocks(specialty: str) -> dict[str, list[str]]:
    """category -> terms of ``specialty``: the shared blocks, then its own."""
    own = SEEDS[specialty]
    return {c: entries(COMMON.get(c, "")) + entries(own.get(c, "")) for c in CATEGORIES}


def lifted(term: str, category: str, lists: WordLists) -> list[str]:
    """The words of a multi-word ``term`` that are kept as terms of their own."""
    words = term.split()
    return [w for w in words if lists.liftable(w, category)] if len(words) > 1 else []


def _single(kind: str, seen: Mapping[str, set[str]]) -> dict[str, str]:
    """term -> its one category; :class:`SeedError` listing the terms that have several."""
    clashes = [f"{t}: {', '.join(sorted(c))}" for t, c in sorted(seen.items()) if len(c) > 1]
    if clashes:
        raise SeedError(f"{kind} in several categories:\n  " + "\n  ".join(clashes))
    return {term: next(iter(cats)) for term, cats in seen.items()}


def file_terms(seeds: Mapping[str, Blocks], lists: WordLists) -> dict[str, str]:
    """The category of every term (lower-cased) of every specialty: what it is, not where."""
    named: dict[str, set[str]] = defaultdict(set)
    via_terms: dict[str, set[str]] = defaultdict(set)
    for blocks in seeds.values():
        for category, terms in blocks.items():
            for term in terms:
                named[term.lower()].add(category)
                for word in lifted(term, category, lists):
                    via_terms[word.lower()].add(category)
    own = _single("seeded", named)
    # A lifted word that an entry names alone takes that entry's category.
    rest = {w: c for w, c in via_terms.items() if w not in own}
    return {**_single("lifted from terms (seed them alone)", rest), **own}


def classify(term: str, category: str, lists: WordLists) -> str | None:
    """The source of ``term``, or None when a medication is unknown to the drug dictionary."""
    words = term.lower().replace("-", " ").split()
    if category == "medication":
        if term.lower() in lists.drugs or all(w in lists.drugs for w in words):
            return "drug-named-entity-recognition"
        if all(w in lists.medical for w in words):
            return "hunspell-en-med"
        return None
    if category == "abbreviation":
        return "curated"
    if all(w in lists.medical for w in words):
        return "hunspell-en-med"
    if all(w in lists.medical or w in lists.english for w in words):
        return "hunspell-en-med+wamerican"
    return "curated"


def lexicon_rows(
    blocks: Blocks, categories: Mapping[str, str], lists: WordLists
) -> tuple[list[Row], list[str]]:
    """(rows sorted by term, medications dropped) of one specialty."""
    rows: dict[str, Row] = {}
    dropped: list[str] = []
    for category, terms in blocks.items():
        for term in terms:
            for candidate in (term, *lifted(term, category, lists)):
                key = candidate.lower()
                if key in rows or candidate in dropped:
                    continue
                filed = categories[key]
                source = classify(candidate, filed, lists)
                if source is None:
                    dropped.append(candidate)
                else:
                    rows[key] = Row(candidate, filed, source)
    return sorted(rows.values(), key=lambda r: r.term.lower()), dropped


def build_rows(
    seeds: Mapping[str, Blocks], lists: WordLists
) -> tuple[dict[str, list[Row]], list[str]]:
    """(specialty -> rows, ``"SPECIALTY: term"`` of every medication dropped)."""
    categories = file_terms(seeds, lists)
    out: dict[str, list[Row]] = {}
    dropped: list[str] = []
    for specialty, blocks in seeds.items():
        out[specialty], lost = lexicon_rows(blocks, categories, lists)
        dropped += [f"{specialty}: {term}" for term in lost]
    return out, dropped


def write_lexicon(path: Path, rows: Sequence[Row]) -> None:
    lines = ["term\tcategory\tsource", *("\t".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def load_drug_names() -> frozenset[str]:
    """Lower-cased drug names (generic and brand) of drug-named-entity-recognition."""
    import drug_named_entity_recognition as dner  # type: ignore[import-untyped]  # no types

    path = Path(dner.__file__).parent / "drug_ner_dictionary.pkl.bz2"
    with bz2.open(path) as fh:
        data = pickle.load(fh)  # the package's own data file, not user input
    return frozenset(name.lower() for name in data["drug_variant_to_canonical"])


def load_word_lists() -> WordLists:
    """The drug dictionary and the medical and English word lists medscribe ships."""
    sys.path.insert(0, str(ROOT / "src"))  # the lists of this checkout, installed or not
    from medscribe.engine.wordlists import english_words, medical_words

    return WordLists(load_drug_names(), medical_words(), english_words())


def build(out: Path) -> dict[str, int]:
    """Write every specialty's lexicon into ``out``; entries per specialty."""
    seeds = {name: specialty_blocks(name) for name in SEEDS}
    lexicons, dropped = build_rows(seeds, load_word_lists())
    out.mkdir(parents=True, exist_ok=True)
    for specialty, rows in lexicons.items():
        write_lexicon(out / f"{specialty}.tsv", rows)
    for line in dropped:
        print(f"dropped (not in the drug dictionary): {line}", file=sys.stderr)
    return {specialty: len(rows) for specialty, rows in lexicons.items()}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the specialty lexicons from the seeds.")
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        metavar="DIR",
        help=f"folder for the <SPECIALTY>.tsv files (default: {DEFAULT_OUT.relative_to(ROOT)})",
    )
    args = parser.parse_args(argv)
    try:
        counts = build(args.out)
    except SeedError as exc:
        print(f"build_lexicons: error: {exc}", file=sys.stderr)
        return 1
    for name, count in counts.items():
        print(f"{name}: {count} entries")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Build the specialty lexicons in ``src/medscribe/data/lexicons/`` (re-runnable).

``python scripts/build_lexicons.py`` writes one ``<SPECIALTY>.tsv`` per specialty
(columns ``term``, ``category``, ``source``) and ``SOURCES.md``. The seed lists
below are ours (clinical knowledge: what is said in such visits and reports);
every seed is checked against registry sources and spelt as they spell it:

* medications: the drug dictionary shipped inside the PyPI package
  ``drug-named-entity-recognition`` (MedlinePlus/DrugBank names); a medication
  seed that it does not know is dropped and reported, so no invented drug
  name reaches a lexicon;
* other words: Debian's ``hunspell-en-med`` (``/usr/share/hunspell/en_med_glut.dic``,
  suffix rules of ``en_US.aff`` applied, as :mod:`medscribe.evaluation.terms`
  reads it) or the general word list of ``wamerican``; a term with a word that
  neither knows is kept as ``curated`` (abbreviations, eponyms, hyphenated
  forms), so the source column says exactly where each entry stands.

The seeds are deliberately not taken from the evaluation scripts: the lexicons
must help on speech they have never seen.
"""

from __future__ import annotations

import bz2
import pickle
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "medscribe" / "data" / "lexicons"

# --------------------------------------------------------------------------- seeds
# Medications shared by every specialty (chronic lists are read out in every visit).
COMMON_MEDS = """
acetaminophen ibuprofen naproxen aspirin tramadol oxycodone hydrocodone morphine
lisinopril losartan valsartan amlodipine hydrochlorothiazide chlorthalidone
metoprolol carvedilol atenolol furosemide spironolactone atorvastatin rosuvastatin
simvastatin pravastatin ezetimibe metformin glipizide glimepiride sitagliptin
empagliflozin dapagliflozin semaglutide liraglutide dulaglutide insulin glargine
levothyroxine omeprazole pantoprazole famotidine ondansetron prednisone
methylprednisolone dexamethasone sertraline escitalopram citalopram fluoxetine
duloxetine venlafaxine bupropion trazodone mirtazapine gabapentin pregabalin
alprazolam lorazepam clonazepam zolpidem warfarin apixaban rivaroxaban dabigatran
clopidogrel heparin enoxaparin amoxicillin azithromycin doxycycline cephalexin
ciprofloxacin levofloxacin nitrofurantoin trimethoprim sulfamethoxazole
cetirizine loratadine fexofenadine montelukast albuterol fluticasone budesonide
tiotropium allopurinol colchicine tamsulosin finasteride docusate senna
polyethylene glycol loperamide meclizine cyclobenzaprine
"""
COMMON_WORDS = """
hypertension hyperlipidemia diabetes mellitus hypothyroidism obesity dyspnea
tachycardia bradycardia edema erythema tenderness nausea vomiting diarrhea
constipation dizziness syncope fatigue malaise fever chills
auscultation palpation bilateral unilateral anterior posterior lateral medial
proximal distal superior inferior creatinine hemoglobin hematocrit platelets
leukocytosis sodium potassium glucose
"""
COMMON_ABBREVIATIONS = "BMP CBC CMP ECG EKG MRI CT PRN BID TID QID IV"

SEEDS: dict[str, dict[str, str]] = {
    "PRIMARYCARE": {
        "medication": """
        hydroxyzine benzonatate dextromethorphan guaifenesin pseudoephedrine
        phenylephrine diphenhydramine prednisolone triamcinolone hydrocortisone
        clotrimazole terbinafine fluconazole nystatin mupirocin valacyclovir
        acyclovir oseltamivir amoxicillin clavulanate penicillin clindamycin
        metronidazole cefdinir ceftriaxone doxazosin clonidine hydralazine
        olmesartan irbesartan telmisartan benazepril enalapril ramipril
        diltiazem verapamil nifedipine pioglitazone linagliptin tirzepatide
        alendronate ergocalciferol cholecalciferol cyanocobalamin ferrous sulfate
        folic acid methotrexate hydroxychloroquine sumatriptan topiramate
        buspirone paroxetine amitriptyline nortriptyline varenicline nicotine
        naltrexone buprenorphine sildenafil tadalafil estradiol medroxyprogesterone
        norethindrone levonorgestrel ketorolac meloxicam diclofenac celecoxib
        methocarbamol tizanidine baclofen lidocaine mometasone azelastine
        ipratropium salmeterol formoterol vilanterol umeclidinium
        """,
        "procedure": """
        colonoscopy mammogram spirometry electrocardiogram immunization vaccination
        tetanus influenza pneumococcal zoster papanicolaou cryotherapy biopsy
        excision incision drainage audiometry tympanometry urinalysis venipuncture
        phlebotomy echocardiogram ultrasonography densitometry sigmoidoscopy
        endoscopy dermatoscopy injection aspiration suture debridement
        """,
        "anatomy": """
        tympanic membrane oropharynx nasopharynx turbinates tonsils uvula sclera
        conjunctiva cornea pupils thyroid cervical lymph nodes supraclavicular
        axillary inguinal trachea sternum clavicle scapula thorax abdomen
        epigastric periumbilical hypogastric umbilicus liver spleen gallbladder
        pancreas esophagus duodenum colon rectum prostate lumbar thoracic sacral
        coccyx paraspinal sciatic patella meniscus ligament tendon achilles
        plantar fascia metatarsal carpal metacarpal phalanges
        """,
        "finding": """
        pharyngitis sinusitis otitis rhinitis bronchitis pneumonia influenza
        conjunctivitis cellulitis dermatitis eczema psoriasis urticaria
        seborrheic keratosis keratoses actinic nevus melanoma tinea onychomycosis
        candidiasis impetigo folliculitis abscess lipoma hyperglycemia
        hypoglycemia polyuria polydipsia polyphagia neuropathy retinopathy
        nephropathy microalbuminuria prediabetes dyslipidemia hypertriglyceridemia
        gastroenteritis gastritis dyspepsia reflux odynophagia dysphagia melena
        hematochezia hemorrhoids diverticulosis cholelithiasis hepatomegaly
        splenomegaly hepatosplenomegaly lymphadenopathy thyromegaly goiter
        osteoarthritis osteoporosis osteopenia gout tendinitis bursitis sciatica
        radiculopathy fibromyalgia insomnia anxiety depression rhonchi rales
        crackles wheezing stridor murmur nontender nondistended anemia
        hyperthyroidism asthma emphysema apnea vertigo tinnitus migraine
        rhinorrhea congestion myalgia arthralgia dysuria hematuria
        """,
        "abbreviation": "A1C TSH LDL HDL COPD GERD BMI UTI URI NSAID PSA",
    },
    "CARDIOLOGY": {
        "medication": """
        bisoprolol nebivolol propranolol labetalol sacubitril eplerenone
        torsemide bumetanide metolazone hydralazine isosorbide mononitrate
        dinitrate nitroglycerin ranolazine ivabradine digoxin amiodarone
        dronedarone sotalol dofetilide flecainide propafenone adenosine
        diltiazem verapamil nifedipine ticagrelor prasugrel cangrelor
        edoxaban bivalirudin argatroban fondaparinux alteplase tenecteplase
        eptifibatide tirofiban dobutamine dopamine milrinone norepinephrine
        epinephrine vasopressin phenylephrine evolocumab alirocumab
        icosapent ethyl fenofibrate gemfibrozil colestipol inclisiran
        bempedoic mavacamten vericiguat finerenone ivabradine sildenafil
        bosentan ambrisentan macitentan riociguat treprostinil iodixanol
        iohexol lidocaine
        """,
        "procedure": """
        electrocardiogram echocardiogram transthoracic transesophageal
        catheterization angiography angiogram angioplasty ventriculography
        percutaneous coronary intervention stent stenting atherectomy
        cardioversion defibrillation ablation pacemaker defibrillator
        cardiomyopathy telemetry Holter monitor event monitor
        stress test treadmill nuclear perfusion scintigraphy
        thallium sestamibi troponin natriuretic peptide bypass grafting
        endarterectomy valvuloplasty valve replacement annuloplasty
        transcatheter aortic valve implantation pericardiocentesis
        electrophysiology study cardiac rehabilitation guidewire sheath
        fractional flow reserve intravascular ultrasound fluoroscopy
        hemostasis pullback drug eluting stent dual antiplatelet therapy
        """,
        "anatomy": """
        atrium atria ventricle ventricular atrial septum septal myocardium
        pericardium endocardium epicardium aorta aortic arch ascending
        descending mitral tricuspid pulmonic pulmonary semilunar chordae
        papillary coronary artery arteries left main anterior descending
        circumflex obtuse marginal diagonal septal perforator right coronary
        posterior descending ramus intermedius saphenous vein graft
        mammary radial femoral brachial carotid jugular subclavian
        sinoatrial atrioventricular node bundle branch Purkinje apex apical
        inferior wall anterior wall lateral wall
        """,
        "finding": """
        angina unstable stable ischemia infarction myocardial infarction
        atherosclerosis arteriosclerosis stenosis regurgitation insufficiency
        prolapse calcification thrombus embolus embolism aneurysm dissection
        fibrillation flutter tachyarrhythmia arrhythmia bradyarrhythmia
        ectopy premature contractions supraventricular ventricular tachycardia
        palpitations orthopnea paroxysmal nocturnal dyspnea presyncope
        lightheadedness claudication cyanosis diaphoresis edema jugular venous
        distension hepatojugular reflux gallop murmur rub click bruit
        cardiomegaly cardiomyopathy hypertrophic dilated restrictive takotsubo
        myocarditis pericarditis endocarditis tamponade effusion hypokinesis
        akinesis dyskinesis ejection fraction diastolic systolic dysfunction
        hyperkalemia hypokalemia hypomagnesemia QT prolongation heart block
        nonobstructive obstructive luminal irregularities plaque occlusion
        restenosis vasospasm hyperlipidemia dyslipidemia dominant nondominant
        hematoma pseudoaneurysm fistula
        """,
        "abbreviation": "STEMI NSTEMI CABG PCI TAVR TEE TTE LVEF LAD LCX RCA BNP EF AFib ICD CRT "
        "DAPT TIMI",
    },
    "NEUROLOGY": {
        "medication": """
        levetiracetam lamotrigine valproate divalproex carbamazepine
        oxcarbazepine phenytoin fosphenytoin lacosamide topiramate zonisamide
        brivaracetam clobazam phenobarbital ethosuximide primidone perampanel
        cenobamate sumatriptan rizatriptan zolmitriptan eletriptan erenumab
        fremanezumab galcanezumab rimegepant ubrogepant atogepant
        onabotulinumtoxinA botulinum amitriptyline nortriptyline propranolol
        verapamil donepezil rivastigmine galantamine memantine lecanemab
        aducanumab levodopa carbidopa pramipexole ropinirole rotigotine
        rasagiline selegiline safinamide entacapone amantadine trihexyphenidyl
        benztropine riluzole edaravone pyridostigmine interferon glatiramer
        natalizumab ocrelizumab ofatumumab fingolimod siponimod dimethyl
        fumarate teriflunomide cladribine alemtuzumab baclofen tizanidine
        dantrolene alteplase tenecteplase clopidogrel dipyridamole
        nimodipine tetrabenazine deutetrabenazine
        """,
        "procedure": """
        electroencephalogram electromyography nerve conduction study lumbar
        puncture tomography angiography perfusion thrombectomy thrombolysis
        craniotomy craniectomy ventriculostomy shunt polysomnography
        neuropsychological testing video telemetry magnetic resonance
        diffusion weighted imaging noncontrast
        """,
        "anatomy": """
        cerebrum cerebellum brainstem midbrain pons medulla thalamus
        hypothalamus hippocampus amygdala basal ganglia caudate putamen
        globus pallidus substantia nigra cortex frontal parietal temporal
        occipital lobe insula corpus callosum ventricles meninges dura
        arachnoid subarachnoid cerebrospinal fluid spinal cord cauda equina
        vertebral basilar carotid middle cerebral artery circle of Willis
        trigeminal facial nerve vagus hypoglossal optic oculomotor abducens
        trochlear peroneal median ulnar radial sciatic plexus
        """,
        "finding": """
        stroke ischemic hemorrhagic infarct lacunar penumbra collaterals
        transient ischemic attack aphasia anomia dysarthria dysphagia
        hemiparesis hemiplegia paresthesia hypoesthesia dysesthesia neglect
        hemianopia diplopia nystagmus ptosis papilledema ataxia dysmetria
        tremor bradykinesia rigidity cogwheel dystonia chorea myoclonus
        fasciculations spasticity clonus hyperreflexia hyporeflexia areflexia
        Babinski plantar downgoing upgoing pronator drift Romberg gait
        seizure epilepsy convulsion postictal aura absence focal generalized
        tonic clonic status epilepticus migraine cluster headache
        photophobia phonophobia scotoma neuralgia neuropathy radiculopathy
        myelopathy myasthenia gravis multiple sclerosis demyelination
        Parkinson disease Alzheimer dementia cognitive impairment
        encephalopathy delirium amnesia vertigo syncope concussion
        hydrocephalus meningitis encephalitis Guillain Barre amyotrophic
        lateral sclerosis Bell palsy cardioembolic extraocular
        """,
        "abbreviation": "TIA EEG EMG NIHSS CSF MS ALS tPA MCA ICA CTA MRA",
    },
    "ONCOLOGY": {
        "medication": """
        doxorubicin cyclophosphamide paclitaxel docetaxel nab-paclitaxel
        carboplatin cisplatin oxaliplatin capecitabine fluorouracil
        leucovorin irinotecan gemcitabine pemetrexed vinorelbine vincristine
        etoposide ifosfamide bleomycin dacarbazine methotrexate cytarabine
        azacitidine decitabine temozolomide trastuzumab pertuzumab
        bevacizumab cetuximab panitumumab rituximab pembrolizumab nivolumab
        ipilimumab atezolizumab durvalumab osimertinib erlotinib imatinib
        dasatinib nilotinib ibrutinib venetoclax lenalidomide bortezomib
        daratumumab olaparib palbociclib ribociclib abemaciclib tamoxifen
        letrozole anastrozole exemestane fulvestrant leuprolide goserelin
        enzalutamide abiraterone bicalutamide ondansetron granisetron
        palonosetron aprepitant fosaprepitant olanzapine prochlorperazine
        metoclopramide dexamethasone pegfilgrastim filgrastim epoetin
        darbepoetin zoledronic denosumab allopurinol rasburicase
        loperamide lidocaine hydromorphone fentanyl morphine
        """,
        "procedure": """
        biopsy core needle lumpectomy mastectomy sentinel node dissection
        resection hemicolectomy colectomy anastomosis lobectomy
        pneumonectomy Whipple pancreaticoduodenectomy gastrectomy
        esophagectomy radiotherapy radiation chemotherapy immunotherapy
        adjuvant neoadjuvant palliative brachytherapy port placement
        infusion transfusion bone marrow aspiration staging positron
        emission tomography scintigraphy tumor markers
        """,
        "anatomy": """
        breast axilla axillary lymph nodes mediastinum hilum pleura
        peritoneum omentum mesentery colon sigmoid rectum anus cecum
        pancreas liver lung bronchus esophagus stomach ovary uterus cervix
        prostate bladder kidney bone marrow muscularis propria submucosa
        serosa
        """,
        "finding": """
        carcinoma adenocarcinoma squamous sarcoma lymphoma leukemia myeloma
        melanoma metastasis metastatic malignant benign neoplasm tumor mass
        nodule lesion ductal lobular invasive in situ receptor positive
        negative estrogen progesterone HER2 triple negative grade stage
        differentiated poorly moderately lymphovascular perineural invasion
        margins remission recurrence progression response neutropenia
        febrile thrombocytopenia anemia leukopenia pancytopenia mucositis
        stomatitis alopecia neuropathy dysesthesia fatigue cachexia anorexia
        nausea emesis antiemetic hypercalcemia tumor lysis syndrome
        carcinoembryonic antigen hematochezia transaminases bilirubin
        postmenopausal premenopausal
        """,
        "abbreviation": "CEA PET ECOG BRCA HER2 ER PR PD-L1 CA-125 ANC",
    },
    "RADIOLOGY": {
        "medication": """
        iohexol iodixanol iopamidol gadolinium gadobutrol gadoterate
        barium fluorodeoxyglucose technetium lorazepam diphenhydramine
        prednisone methylprednisolone glucagon
        """,
        "procedure": """
        radiograph radiography fluoroscopy tomography ultrasonography
        sonography ultrasound magnetic resonance angiography venography
        arteriography mammography tomosynthesis densitometry scintigraphy
        cholescintigraphy myelography arthrography urography pyelography
        cystography esophagram enterography colonography contrast enhanced
        unenhanced noncontrast multiplanar reconstructions coronal sagittal
        axial Doppler elastography embolization drainage biopsy
        """,
        "anatomy": """
        lung apices bases hilum hila mediastinum pleura pleural costophrenic
        diaphragm pericardium aorta pulmonary artery vena cava cavoatrial
        junction liver hepatic intrahepatic extrahepatic biliary common bile
        duct gallbladder pancreas spleen kidneys renal ureter bladder adnexa
        ovaries uterus appendix cecum ileum jejunum duodenum mesentery
        retroperitoneum psoas vertebral bodies osseous structures pubic
        symphysis sacroiliac acetabulum femoral head humeral head glenoid
        rotator cuff labrum meniscus cruciate ligament calvarium sella
        ventricles sulci
        """,
        "finding": """
        opacity consolidation atelectasis infiltrate effusion pneumothorax
        pneumomediastinum pneumoperitoneum nodule mass granuloma
        calcification cardiomegaly cardiomediastinal silhouette emphysema
        bronchiectasis interstitial fibrosis ground glass edema congestion
        hypodense hyperdense hypoechoic hyperechoic isoechoic anechoic
        enhancement attenuation lesion cyst hemangioma steatosis cirrhosis
        ascites dilatation hydronephrosis hydroureter nephrolithiasis
        urolithiasis cholelithiasis cholecystitis choledocholithiasis
        pericholecystic appendicitis appendicolith diverticulitis
        extraluminal fluid collection abscess lymphadenopathy fracture
        displaced nondisplaced comminuted degenerative spondylosis
        spondylolisthesis anterolisthesis retrolisthesis stenosis herniation
        osteophyte sclerotic lytic blastic infarct hemorrhage hematoma
        subdural epidural midline shift leukocytosis unremarkable
        nonobstructing obstructing endotracheal nasogastric tube catheter
        """,
        "abbreviation": "PACS DICOM CTA MRA KUB PA AP LLQ RLQ RUQ LUQ",
    },
    "UROLOGY": {
        "medication": """
        tamsulosin alfuzosin silodosin doxazosin terazosin finasteride
        dutasteride oxybutynin tolterodine solifenacin darifenacin trospium
        fesoterodine mirabegron vibegron sildenafil tadalafil vardenafil
        avanafil alprostadil testosterone leuprolide degarelix relugolix
        bicalutamide enzalutamide apalutamide darolutamide abiraterone
        nitrofurantoin fosfomycin ciprofloxacin levofloxacin cephalexin
        trimethoprim sulfamethoxazole phenazopyridine potassium citrate
        hydrochlorothiazide allopurinol tiopronin bacillus calmette guerin
        mitomycin gemcitabine desmopressin ketorolac cefazolin ceftriaxone
        gentamicin ampicillin hyoscyamine flavoxate belladonna onabotulinumtoxinA
        """,
        "procedure": """
        cystoscopy ureteroscopy lithotripsy nephrolithotomy nephrectomy
        prostatectomy cystectomy orchiectomy orchiopexy vasectomy
        circumcision urodynamics uroflowmetry postvoid residual catheterization
        transrectal ultrasound fusion biopsy transurethral resection
        prostate bladder tumor stent placement urethroplasty pyeloplasty
        sacral neuromodulation urinalysis urine culture cytology ureteroscope
        cystourethroscopy retrograde pyelogram pyelography cystogram urogram
        nephrostomy holmium laser lithotomy position basket extraction dusting
        fragmentation transperineal brachytherapy cystoprostatectomy ileal conduit
        neobladder sling sphincter hydrodistension meatotomy preoperative
        postoperative perioperative intraoperative
        """,
        "anatomy": """
        kidney renal pelvis calyx calyces ureter ureteropelvic
        ureterovesical junction bladder detrusor trigone urethra prostate
        seminal vesicles vas deferens epididymis testis testicle scrotum
        penis glans foreskin perineum pelvic floor adrenal ureters ureteral
        orifice bladder neck verumontanum prostatic urethral bulbar membranous
        papilla infundibulum
        """,
        "finding": """
        nephrolithiasis urolithiasis hydronephrosis hematuria microscopic
        gross pyuria bacteriuria proteinuria dysuria frequency urgency
        nocturia hesitancy intermittency incontinence retention enuresis
        prostatitis cystitis pyelonephritis urethritis epididymitis orchitis
        varicocele hydrocele spermatocele phimosis hypospadias cryptorchidism
        erectile dysfunction hypogonadism infertility azoospermia benign
        prostatic hyperplasia carcinoma urothelial transitional
        adenocarcinoma Gleason score elevated creatinine renal colic flank
        pain obstruction stricture reflux hydroureteronephrosis hydroureter
        calculus calculi trabeculation diverticulum detrusor overactivity
        hypocitraturia hypercalciuria hyperoxaluria hyperuricosuria cystinuria
        struvite oxalate nitrites leukocyte esterase urosepsis noncancerous
        """,
        "abbreviation": "BPH PSA UTI TURP TURBT PCNL ESWL BCG IPSS PVR KUB",
    },
}

# Multi-word seeds that must stay together (the lists above are split on spaces).
PHRASES = {
    "ejection fraction",
    "left anterior descending",
    "atrial fibrillation",
    "heart failure",
    "drug eluting stent",
    "dual antiplatelet therapy",
    "sacubitril valsartan",
    "metoprolol succinate",
    "metoprolol tartrate",
    "natriuretic peptide",
    "transient ischemic attack",
    "pronator drift",
    "lumbar puncture",
    "polyethylene glycol",
    "folic acid",
    "ferrous sulfate",
    "tympanic membrane",
    "carcinoembryonic antigen",
    "muscularis propria",
    "sentinel node",
    "tumor lysis syndrome",
    "pubic symphysis",
    "ground glass",
    "common bile duct",
    "erectile dysfunction",
    "benign prostatic hyperplasia",
    "postvoid residual",
    "potassium citrate",
    "bacillus calmette guerin",
    "isosorbide mononitrate",
    "icosapent ethyl",
    "dimethyl fumarate",
    "status epilepticus",
    "multiple sclerosis",
    "myasthenia gravis",
    "circle of Willis",
    "substantia nigra",
    "basal ganglia",
    "cauda equina",
    "seborrheic keratosis",
    "amoxicillin clavulanate",
}
# Seeds of several words that are lists, not phrases, are split into single words.


def _split(seed: str) -> list[str]:
    """Split a seed block into entries, keeping :data:`PHRASES` whole."""
    text = " ".join(seed.split())
    lowered = text.lower()
    out: list[str] = []
    for phrase in sorted(PHRASES, key=len, reverse=True):
        index = lowered.find(phrase.lower())
        while index >= 0:
            out.append(text[index : index + len(phrase)])
            text = text[:index] + " " * len(phrase) + text[index + len(phrase) :]
            lowered = text.lower()
            index = lowered.find(phrase.lower())
    out.extend(text.split())
    return out


def load_drug_names() -> set[str]:
    """Lower-cased drug names (generic and brand) of drug-named-entity-recognition."""
    import drug_named_entity_recognition as dner

    path = Path(dner.__file__).parent / "drug_ner_dictionary.pkl.bz2"
    with bz2.open(path) as fh:
        data = pickle.load(fh)
    return {name.lower() for name in data["drug_variant_to_canonical"]}


def load_words() -> tuple[frozenset[str], frozenset[str]]:
    """(hunspell-en-med words, wamerican words), lower-cased: the lists medscribe ships."""
    sys.path.insert(0, str(ROOT / "src"))
    from medscribe.engine.wordlists import english_words, medical_words

    return medical_words(), english_words()


def classify(term: str, category: str, drugs: set[str], medical, general) -> str | None:
    """The source of ``term``, or None when a medication is unknown to the drug dictionary."""
    words = term.lower().replace("-", " ").split()
    if category == "medication":
        if term.lower() in drugs or all(w in drugs for w in words):
            return "drug-named-entity-recognition"
        if all(w in medical for w in words):
            return "hunspell-en-med"
        return None
    if category != "abbreviation" and all(w in medical for w in words):
        return "hunspell-en-med"
    if category != "abbreviation" and all(w in medical or w in general for w in words):
        return "hunspell-en-med+wamerican"
    return "curated"


def build() -> dict[str, int]:
    drugs = load_drug_names()
    medical, general = load_words()
    OUT.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}
    dropped: list[str] = []
    for specialty, blocks in SEEDS.items():
        blocks = dict(blocks)
        blocks["medication"] = COMMON_MEDS + blocks["medication"]
        blocks["finding"] = COMMON_WORDS + blocks["finding"]
        blocks["abbreviation"] = COMMON_ABBREVIATIONS + " " + blocks["abbreviation"]
        rows: dict[str, tuple[str, str]] = {}
        for category, block in blocks.items():
            for term in _split(block):
                source = classify(term, category, drugs, medical, general)
                if source is None:
                    dropped.append(f"{specialty}: {term}")
                    continue
                rows.setdefault(term.lower(), (term, f"{category}\t{source}"))
        lines = ["term\tcategory\tsource"]
        lines += [
            f"{term}\t{rest}" for term, rest in sorted(rows.values(), key=lambda r: r[0].lower())
        ]
        (OUT / f"{specialty}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        counts[specialty] = len(rows)
    for line in dropped:
        print(f"dropped (not in the drug dictionary): {line}", file=sys.stderr)
    return counts


if __name__ == "__main__":
    for name, count in build().items():
        print(f"{name}: {count} entries")

"""The verbaliser: written clinical text -> what the dictating clinician says (TTS input).

Each vector is a written form and the spoken form the voice gets; the normaliser must
then find the written reference and the spoken words the same (except list numbers,
which the formatter writes back).
"""

from __future__ import annotations

import pytest

from medscribe.evaluation.normalize import normalize
from medscribe.evaluation.verbalize import verbalize, verbalize_line

VECTORS = [
    ("PHYSICAL EXAM", "physical exam."),
    ("ASSESSMENT AND PLAN", "assessment and plan."),
    (
        "- Auscultation of Heart: Grade 3/6 systolic ejection murmur.",
        "Auscultation of Heart: Grade three over six systolic ejection murmur.",
    ),
    (
        "Blood pressure 180/95 mmHg.",
        "Blood pressure one hundred eighty over ninety five millimeters of mercury.",
    ),
    ("• Carvedilol 25 mg twice a day.", "Carvedilol twenty five milligrams twice a day."),
    ("metformin 500mg", "metformin five hundred milligrams"),
    ("Hemoglobin A1c of 7.2%.", "Hemoglobin A one c of seven point two percent."),
    (
        "Temperature 98.6 °F, pulse 72 bpm.",
        "Temperature ninety eight point six degrees fahrenheit, pulse seventy two beats per"
        " minute.",
    ),
    ("Weight 185 lbs.", "Weight one hundred eighty five pounds."),
    ("Seen on the 3rd in 2019.", "Seen on the third in twenty nineteen."),
    ("Pressures of 30-35 mmHg.", "Pressures of thirty to thirty five millimeters of mercury."),
    ("A 2.5 cm lesion at L4.", "A two point five centimeters lesion at L four."),
    ("1,000 mcg of B12.", "one thousand micrograms of B twelve."),
    ("Type 2 diabetes.", "Type two diabetes."),
    ("0.5 mg", "zero point five milligrams"),
    ("Dr. Smith & Dr. Jones", "doctor Smith and doctor Jones"),
    ("CT/MRI", "C T M R I"),
    ("EKG is normal.", "E K G is normal."),
    ("No NSAIDs.", "No NSAIDs."),  # said as a word
    ("GAIT: antalgic gait. NEURO: intact.", "gait: antalgic gait. neuro: intact."),
    ("History of COPD.", "History of C O P D."),
    ("a 62-year-old male", "a sixty two-year-old male"),
]


@pytest.mark.parametrize(("written", "spoken"), VECTORS)
def test_written_to_spoken(written: str, spoken: str) -> None:
    assert verbalize_line(written) == spoken


@pytest.mark.parametrize(
    "written",
    [w for w, _ in VECTORS if not any(x in w for x in ("EKG", "MRI", "CT/", "COPD"))],
)
def test_normaliser_makes_written_and_spoken_forms_equal(written: str) -> None:
    assert normalize(verbalize_line(written)) == normalize(written)


def test_enumerated_findings_are_read_as_a_clinician_dictates_them() -> None:
    assert verbalize_line("1. Mild aortic stenosis.") == "number one, Mild aortic stenosis."
    assert verbalize_line("2) Hypertension.") == "number two, Hypertension."


def test_empty_lines_are_dropped() -> None:
    assert verbalize("VITALS\n\nBP: 120/80.\n") == ("vitals.\nB P: one hundred twenty over eighty.")

"""Hand-made dialogues for the role tests, as transcripts with speaker labels.

Written for these tests (no corpus text): a clinician who asks and instructs, a
patient who tells their symptoms; and an exchange where neither does.
"""

from __future__ import annotations

import re

from medscribe.transcript.model import Item, Transcript

#: The patient speaks first (spk_0), as often happens: order must not decide.
VISIT = [
    ("spk_0", "Hi doctor. I've had this cough for two weeks and my chest hurts when I breathe."),
    ("spk_1", "I'm sorry to hear that. Do you have a fever? Have you coughed up any blood?"),
    ("spk_0", "No blood. I felt hot last night and I get tired on the stairs."),
    ("spk_1", "How long have you had the tiredness? Do you smoke?"),
    ("spk_0", "I stopped smoking five years ago. I've been sleeping badly too."),
    ("spk_1", "Okay. I want you to take deep breaths while I listen. Any pain in your legs?"),
    ("spk_0", "Yeah, my leg hurts a little sometimes."),
    (
        "spk_1",
        "Alright. We'll order a chest x-ray and I'll prescribe an inhaler. "
        "Make sure you drink fluids, and follow up in a week if it is not better.",
    ),
    ("spk_0", "Okay, thank you."),
]

#: Two people chatting alike: nobody interviews, nobody tells symptoms.
SMALL_TALK = [
    ("spk_0", "The weather was lovely this morning and the park was full of people."),
    ("spk_1", "The weather was lovely this morning and the park was full of dogs."),
    ("spk_0", "The traffic on the bridge was slow again on the way over here."),
    ("spk_1", "The traffic on the bridge was slow again on the way over here."),
]

THREE = [
    ("spk_0", "Do you have any pain? How long have you had the cough?"),
    ("spk_1", "I have had the cough for a week and my chest hurts."),
    ("spk_2", "She has been coughing at night, I hear her from the next room."),
]


def transcript(lines: list[tuple[str, str]], *, punctuation: bool = True) -> Transcript:
    """Items as a recogniser writes them: words with times, marks as punctuation items.

    ``punctuation=False`` drops the marks and lower-cases the words (a recogniser or
    corpus that writes no punctuation).
    """
    items: list[Item] = []
    t = 0.0
    for speaker, text in lines:
        for token in re.findall(r"[\w'-]+|[.,?!]", text):
            if token in ".,?!":
                if punctuation:
                    items.append(Item(token, type="punctuation", speaker=speaker))
                continue
            word = token if punctuation else token.lower()
            items.append(Item(word, start=t, end=t + 0.3, confidence=0.95, speaker=speaker))
            t += 0.4
        t += 0.5
    return Transcript(items=items, speakers=len({s for s, _ in lines}))


def spoken_by(transcript: Transcript, label: str) -> str:
    return " ".join(i.content for i in transcript.words if i.speaker == label)

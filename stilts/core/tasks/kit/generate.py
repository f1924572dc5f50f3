"""Generate the embedded NLI kit: small synthetic MNLI- and XNLI-format files plus bilingual lexicons.

    python -m stilts.core.tasks.kit.generate

Every sentence is produced by the templates and the handwritten vocabularies below (written for this
project); nothing is copied from any published dataset. Each example is first built as a language-neutral
frame (`Clause`) and then rendered by one small renderer per language, so row i of every
`xnli/test-{lang}.tsv` is the same example. Labels follow from construction:

* entailment: the hypothesis drops a modifier, generalises (a person / something / outside), states an
  adjective the premise already gives, or negates an incompatible activity;
* neutral: the hypothesis adds information the premise does not give (a place, a time, a manner, an
  object, an adjective, a role, a state);
* contradiction: the hypothesis changes the activity, object, place, time or manner to an incompatible
  one, negates the premise, uses an antonym, or says nobody does it.

The output is byte-for-byte deterministic (fixed seeds, no set iteration) and takes well under a second.
"""
from __future__ import annotations

import random
import re
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, NamedTuple, Optional

SEED = 20_261_125
DATA_DIR = Path(__file__).resolve().parent / "data"
LANGS = ("en", "sw", "th", "ar", "ru", "zh", "hi")
TARGET_LANGS = LANGS[1:]
LABELS = ("entailment", "neutral", "contradiction")
LABEL_LETTER = {"entailment": "e", "neutral": "n", "contradiction": "c"}
GENRES = ("fiction", "government", "slate", "telephone", "travel")
PARSE_PLACEHOLDER = "( )"
MNLI_HEADER = ("index", "promptID", "pairID", "genre", "sentence1_binary_parse", "sentence2_binary_parse",
               "sentence1_parse", "sentence2_parse", "sentence1", "sentence2", "label1", "gold_label")
# split name -> (number of premises, each with one hypothesis per label, seed offset, first promptID)
MNLI_SPLITS = {"train": (1000, 0, 100_000), "dev_matched": (100, 1, 200_000)}
XNLI_SPLITS = {"test": (100, 2, 300_000), "dev": (50, 3, 400_000)}
# lexicon targets that may be empty (the word has no counterpart in that language and is dropped)
MAY_BE_EMPTY = ("the", "a", "an", "is")

# =========================================================================================================
# Language-neutral vocabulary (English side): what may combine with what
# =========================================================================================================

# people who act in premises, with the grammatical gender used for them in Arabic, Russian and Hindi
GENDER: dict[str, str] = {
    "woman": "f", "man": "m", "girl": "f", "boy": "m", "child": "m", "teacher": "f", "doctor": "m",
    "student": "f", "farmer": "m", "nurse": "f", "driver": "m", "cook": "m", "mother": "f", "father": "m",
    "grandmother": "f", "police officer": "m", "person": "m",
}
PREMISE_SUBJECTS = tuple(s for s in GENDER if s != "person")  # "person" only appears as a generalisation
# neutral hypotheses may name a role the premise does not give (gender kept, so translations stay neutral)
ROLES: dict[str, tuple[str, ...]] = {
    "woman": ("teacher", "student", "nurse"),
    "man": ("doctor", "farmer", "driver", "cook", "police officer"),
    "girl": ("student",),
}

# adjectives for people -> the dimension they describe (two adjectives of one dimension never combine)
SUBJ_ADJS: dict[str, str] = {
    "tall": "height", "short": "height", "young": "age", "old": "age", "happy": "mood", "sad": "mood",
    "angry": "mood", "tired": "tired", "hungry": "hungry", "busy": "busy", "quiet": "quiet",
    "strong": "strong", "kind": "kind",
}
ANTONYMS = {"tall": "short", "short": "tall", "young": "old", "old": "young", "happy": "sad", "sad": "happy"}
NEUTRAL_STATES = ("hungry", "tired", "strong", "kind")  # states a premise never implies or excludes
ADJ_SUBJ_EXCLUDED = {"old": ("girl", "boy", "child", "student"), "young": ("grandmother",)}
ADJ_VERB_EXCLUDED = {
    "happy": ("crying",), "sad": ("laughing", "smiling", "dancing"), "angry": ("laughing", "smiling"),
    "busy": ("sleeping", "resting"), "quiet": ("singing", "laughing", "crying"),
}

OUTDOOR = ("garden", "park", "beach", "street", "market", "field", "river", "lake")
LAND = ("garden", "park", "beach", "street", "market", "field", "kitchen", "library", "classroom", "office",
        "shop", "restaurant", "home", "hospital")
ROOMS = ("home", "kitchen", "office", "classroom", "hospital", "library", "shop", "restaurant")


class Place(NamedTuple):
    en: str                  # the English phrase
    outdoor: Optional[bool]  # None: could be either, so no inside/outside hypotheses


PLACES: dict[str, Place] = {
    "garden": Place("in the garden", True), "park": Place("in the park", True),
    "beach": Place("on the beach", True), "street": Place("in the street", True),
    "market": Place("at the market", None), "field": Place("in the field", True),
    "river": Place("in the river", True), "lake": Place("in the lake", True),
    "kitchen": Place("in the kitchen", False), "library": Place("in the library", False),
    "classroom": Place("in the classroom", False), "office": Place("in the office", False),
    "shop": Place("in the shop", False), "restaurant": Place("in the restaurant", False),
    "home": Place("at home", None), "hospital": Place("in the hospital", False),
}
# pairs of places one can be in at once (so they never contradict each other)
COMPATIBLE_PLACES = tuple(frozenset(p) for p in (
    ("home", "kitchen"), ("home", "garden"), ("park", "garden"), ("street", "market"), ("shop", "market"),
    ("restaurant", "kitchen"), ("beach", "lake"), ("beach", "river"), ("field", "river"),
))


class Obj(NamedTuple):
    article: str                            # "a", "the" or "" (mass nouns, plurals)
    adjs: tuple[str, ...] = ()              # object adjectives that fit it
    places: Optional[tuple[str, ...]] = None  # where it can be handled (None: wherever the verb can)


OBJECTS: dict[str, Obj] = {
    "book": Obj("a", ("red", "blue", "green", "black", "new", "big", "small", "heavy")),
    "newspaper": Obj("a"), "letter": Obj("a"), "story": Obj("a"), "bread": Obj(""),
    "apple": Obj("a", ("red", "green", "big", "small")),
    "rice": Obj(""), "soup": Obj(""), "fish": Obj(""), "water": Obj(""), "tea": Obj(""), "milk": Obj(""),
    "coffee": Obj(""), "juice": Obj(""),
    "cake": Obj("a", ("white", "big", "small")),
    "dishes": Obj("the", (), ("kitchen", "restaurant", "home")),
    "clothes": Obj("", (), ("home", "garden", "market", "shop")),
    "car": Obj("a", ("red", "blue", "white", "black", "new", "big", "small"), ("street", "garden", "market", "home")),
    "bag": Obj("a", ("red", "blue", "black", "new", "big", "small", "heavy")),
    "box": Obj("a", ("red", "white", "big", "small", "heavy")),
    "basket": Obj("a", ("new", "big", "small", "heavy")),
    "chair": Obj("a", ("red", "blue", "green", "white", "black", "new", "small", "heavy")),
    "table": Obj("a", ("white", "new", "big", "small", "heavy"),
                 ("kitchen", "home", "office", "classroom", "restaurant", "market")),
    "picture": Obj("a", ("new", "big", "small")),
    "door": Obj("the", (), ROOMS), "window": Obj("the", (), ROOMS),
    "bicycle": Obj("a", ("red", "blue", "green", "black", "new"), ("street", "garden", "park", "market", "home")),
    "radio": Obj("a", ("black", "new", "small")),
    "film": Obj("a", (), ("home", "classroom")),
    "match": Obj("a", (), ("home", "park", "restaurant", "field")),
    "football": Obj("", (), ("park", "field", "street", "beach", "garden")),
    "chess": Obj("", (), ("home", "park", "garden", "classroom", "library")),
    "song": Obj("a"),
    "shoes": Obj("", ("red", "black", "white", "new")),
    "ball": Obj("a", ("red", "blue", "white", "big", "small"),
                ("park", "field", "beach", "street", "garden", "market", "shop", "home")),
    "something": Obj(""),  # only in entailment hypotheses ("is reading something")
}
OBJ_ADJS = ("red", "blue", "green", "white", "black", "new", "big", "small", "heavy")
NO_OBJ_ADJ_VERBS = ("writing",)  # "writing a red book" makes no sense


class Verb(NamedTuple):
    objects: tuple[str, ...]  # objects it takes
    intrans: bool             # may stand without an object
    group: str                # "sleep", "sport", "still" or "other": decides which activities exclude others
    places: tuple[str, ...]   # where it can happen


_GOODS = ("bread", "apple", "fish", "book", "newspaper", "bag", "shoes", "cake", "ball", "radio", "bicycle")
VERBS: dict[str, Verb] = {
    "reading": Verb(("book", "newspaper", "letter", "story"), True, "still",
                    ("garden", "park", "beach", "library", "classroom", "office", "home", "hospital", "kitchen")),
    "writing": Verb(("letter", "story", "book", "song"), True, "still",
                    ("garden", "park", "library", "classroom", "office", "home")),
    "eating": Verb(("bread", "apple", "rice", "soup", "fish", "cake"), True, "still",
                   ("garden", "park", "beach", "market", "kitchen", "restaurant", "home", "office", "field")),
    "drinking": Verb(("water", "tea", "milk", "coffee", "juice"), True, "still",
                     ("garden", "park", "beach", "market", "kitchen", "restaurant", "home", "office")),
    "cooking": Verb(("rice", "soup", "fish"), True, "still", ("kitchen", "restaurant", "home", "garden")),
    "washing": Verb(("car", "clothes", "dishes", "window", "bicycle"), False, "still",
                    ("garden", "street", "kitchen", "home", "restaurant")),
    "carrying": Verb(("bag", "box", "basket", "chair", "table", "ball"), False, "other",
                     ("street", "market", "field", "shop", "kitchen", "home", "park")),
    "painting": Verb(("picture",), True, "still", ("garden", "park", "classroom", "home", "beach")),
    "buying": Verb(_GOODS, False, "other", ("market", "shop", "street")),
    "selling": Verb(_GOODS + ("basket",), False, "other", ("market", "shop", "street")),
    "opening": Verb(("door", "window", "box", "bag", "letter"), False, "other",
                    ("kitchen", "home", "office", "classroom", "shop", "hospital", "library")),
    "repairing": Verb(("bicycle", "car", "chair", "radio", "door", "table"), False, "still",
                      ("street", "garden", "home", "office", "kitchen")),
    "cleaning": Verb(("window", "car", "table", "chair"), False, "still",
                     ("kitchen", "home", "office", "classroom", "restaurant", "hospital", "street")),
    "watching": Verb(("film", "match"), False, "still", ("home", "park", "restaurant", "classroom", "field")),
    "playing": Verb(("football", "chess"), True, "other",
                    ("park", "garden", "beach", "street", "field", "home", "classroom")),
    "throwing": Verb(("ball", "apple"), False, "other", ("park", "garden", "beach", "street", "field")),
    "singing": Verb((), True, "other", ("garden", "park", "kitchen", "classroom", "street", "home", "restaurant")),
    "sleeping": Verb((), True, "sleep", ("home", "park", "garden", "beach", "hospital")),
    "running": Verb((), True, "sport", ("park", "beach", "street", "field")),
    "dancing": Verb((), True, "sport", ("garden", "park", "beach", "street", "restaurant", "home", "kitchen")),
    "laughing": Verb((), True, "other", LAND),
    "crying": Verb((), True, "other", LAND),
    "swimming": Verb((), True, "sport", ("river", "lake")),
    "waiting": Verb((), True, "other", ("street", "market", "office", "hospital", "restaurant", "shop", "park")),
    "walking": Verb((), True, "other", ("park", "beach", "street", "market", "field", "garden")),
    "resting": Verb((), True, "still", ("garden", "park", "beach", "home", "office", "field")),
    "working": Verb((), True, "other",
                    ("office", "field", "kitchen", "hospital", "shop", "restaurant", "garden", "market")),
    "smiling": Verb((), True, "other", LAND),
    "studying": Verb((), True, "still", ("library", "classroom", "home", "garden", "park")),
}
SLEEP_COMPATIBLE = ("resting", "waiting")
EXCLUSIVE_PAIRS = (frozenset(("laughing", "crying")), frozenset(("smiling", "crying")))

TIMES: dict[str, str] = {"this morning": "day", "this afternoon": "day", "this evening": "dark", "at night": "dark"}

_MOVING = ("eating", "drinking", "walking", "running", "swimming", "reading", "writing", "cooking", "cleaning",
           "washing", "repairing", "carrying", "dancing", "painting")
_MAKING = ("cooking", "buying", "writing", "painting", "repairing", "cleaning", "washing", "carrying",
           "singing", "dancing")
_LEARNED = ("reading", "writing", "cooking", "painting", "repairing", "swimming", "dancing", "playing",
            "singing", "working", "throwing", "buying", "selling", "washing", "cleaning", "watching")
MANNERS: dict[str, tuple[str, ...]] = {  # manner phrase -> the verbs it fits
    "with a friend": tuple(v for v in VERBS if v != "sleeping"),
    "alone": tuple(VERBS),
    "for a friend": _MAKING,
    "for the first time": _LEARNED,
    "very slowly": _MOVING,
    "very quickly": _MOVING,
}
MANNER_OPPOSITE = {"with a friend": "alone", "alone": "with a friend",
                   "very slowly": "very quickly", "very quickly": "very slowly"}

# =========================================================================================================
# Swahili (sw). People are all animate, so adjectives take the class-1 (m-/mw-) concord; object adjectives
# agree with the object's noun class. Present tense "-na-"; negative present "ha- ... -i".
# =========================================================================================================

SW_PERSONS = {
    "woman": "mwanamke", "man": "mwanamume", "girl": "msichana", "boy": "mvulana", "child": "mtoto",
    "teacher": "mwalimu", "doctor": "daktari", "student": "mwanafunzi", "farmer": "mkulima",
    "nurse": "muuguzi", "driver": "dereva", "cook": "mpishi", "mother": "mama", "father": "baba",
    "grandmother": "bibi", "police officer": "polisi", "person": "mtu",
}
SW_SUBJ_ADJ = {  # attributive, predicate, negated predicate
    "tall": ("mrefu", "ni mrefu", "si mrefu"), "short": ("mfupi", "ni mfupi", "si mfupi"),
    "young": ("kijana", "ni kijana", "si kijana"), "old": ("mzee", "ni mzee", "si mzee"),
    "happy": ("mwenye furaha", "ana furaha", "hana furaha"),
    "sad": ("mwenye huzuni", "ana huzuni", "hana huzuni"),
    "tired": ("aliyechoka", "amechoka", "hajachoka"),
    "hungry": ("mwenye njaa", "ana njaa", "hana njaa"),
    "angry": ("mwenye hasira", "ana hasira", "hana hasira"),
    "busy": ("mwenye shughuli nyingi", "ana shughuli nyingi", "hana shughuli nyingi"),
    "quiet": ("mkimya", "ni mkimya", "si mkimya"),
    "strong": ("mwenye nguvu", "ana nguvu", "hana nguvu"),
    "kind": ("mkarimu", "ni mkarimu", "si mkarimu"),
}
SW_OBJECTS = {  # noun, noun class
    "book": ("kitabu", 7), "newspaper": ("gazeti", 5), "letter": ("barua", 9), "story": ("hadithi", 9),
    "bread": ("mkate", 3), "apple": ("tufaha", 5), "rice": ("wali", 11), "soup": ("supu", 9),
    "fish": ("samaki", 9), "water": ("maji", 6), "tea": ("chai", 9), "milk": ("maziwa", 6),
    "coffee": ("kahawa", 9), "juice": ("juisi", 9), "cake": ("keki", 9), "dishes": ("vyombo", 8),
    "clothes": ("nguo", 10), "car": ("gari", 5), "bag": ("mfuko", 3), "box": ("sanduku", 5),
    "basket": ("kikapu", 7), "chair": ("kiti", 7), "table": ("meza", 9), "picture": ("picha", 9),
    "door": ("mlango", 3), "window": ("dirisha", 5), "bicycle": ("baiskeli", 9), "radio": ("redio", 9),
    "film": ("filamu", 9), "match": ("mechi", 9), "football": ("mpira wa miguu", 3),
    "chess": ("sataranji", 9), "song": ("wimbo", 11), "shoes": ("viatu", 8), "ball": ("mpira", 3),
    "something": ("kitu", 7),
}
SW_CLASS_SLOT = {3: 0, 11: 0, 5: 1, 7: 2, 8: 3, 9: 4, 10: 4}
SW_OBJ_ADJ = {  # forms for noun classes 3, 5, 7, 8, 9/10
    "red": ("mwekundu", "jekundu", "chekundu", "vyekundu", "nyekundu"),
    "blue": ("bluu",) * 5, "green": ("kijani",) * 5,
    "white": ("mweupe", "jeupe", "cheupe", "vyeupe", "nyeupe"),
    "black": ("mweusi", "jeusi", "cheusi", "vyeusi", "nyeusi"),
    "new": ("mpya", "jipya", "kipya", "vipya", "mpya"),
    "big": ("mkubwa", "kubwa", "kikubwa", "vikubwa", "kubwa"),
    "small": ("mdogo", "dogo", "kidogo", "vidogo", "ndogo"),
    "heavy": ("mzito", "zito", "kizito", "vizito", "nzito"),
}
SW_VERBS = {  # 3rd person singular present, negative present
    "reading": ("anasoma", "hasomi"), "writing": ("anaandika", "haandiki"), "eating": ("anakula", "hali"),
    "drinking": ("anakunywa", "hanywi"), "cooking": ("anapika", "hapiki"), "washing": ("anaosha", "haoshi"),
    "carrying": ("anabeba", "habebi"), "painting": ("anachora", "hachori"), "buying": ("ananunua", "hanunui"),
    "selling": ("anauza", "hauzi"), "opening": ("anafungua", "hafungui"),
    "repairing": ("anatengeneza", "hatengenezi"), "cleaning": ("anasafisha", "hasafishi"),
    "watching": ("anatazama", "hatazami"), "playing": ("anacheza", "hachezi"), "throwing": ("anarusha", "harushi"),
    "singing": ("anaimba", "haimbi"), "sleeping": ("analala", "halali"), "running": ("anakimbia", "hakimbii"),
    "dancing": ("anacheza dansi", "hachezi dansi"), "laughing": ("anacheka", "hacheki"),
    "crying": ("analia", "halii"), "swimming": ("anaogelea", "haogelei"), "waiting": ("anasubiri", "hasubiri"),
    "walking": ("anatembea", "hatembei"), "resting": ("anapumzika", "hapumziki"),
    "working": ("anafanya kazi", "hafanyi kazi"), "smiling": ("anatabasamu", "hatabasamu"),
    "studying": ("anajifunza", "hajifunzi"),
}
SW_VERB_OVERRIDES = {("washing", "clothes"): ("anafua", "hafui")}
SW_PLACES = {  # locative phrase, noun
    "garden": ("bustanini", "bustani"), "park": ("katika bustani ya umma", "bustani ya umma"),
    "beach": ("ufukweni", "ufukwe"), "street": ("barabarani", "barabara"), "market": ("sokoni", "soko"),
    "field": ("uwanjani", "uwanja"), "river": ("mtoni", "mto"), "lake": ("ziwani", "ziwa"),
    "kitchen": ("jikoni", "jiko"), "library": ("maktabani", "maktaba"), "classroom": ("darasani", "darasa"),
    "office": ("ofisini", "ofisi"), "shop": ("dukani", "duka"), "restaurant": ("mgahawani", "mgahawa"),
    "home": ("nyumbani", "nyumba"), "hospital": ("hospitalini", "hospitali"),
}
SW_TIMES = {"this morning": "leo asubuhi", "this afternoon": "leo mchana", "this evening": "leo jioni",
            "at night": "usiku"}
SW_MANNERS = {"with a friend": "pamoja na rafiki", "for a friend": "kwa ajili ya rafiki",
              "for the first time": "kwa mara ya kwanza", "very slowly": "polepole sana",
              "very quickly": "haraka sana", "alone": "peke yake"}
SW_LOC = {"outside": ("yuko nje", "nje"), "inside": ("yuko ndani", "ndani")}
SW_WORDS = {
    "the": "", "a": "", "an": "", "is": "ni", "not": "si", "in": "katika", "on": "juu ya", "at": "kwenye",
    "this": "hii", "while": "wakati", "with": "pamoja na", "for": "kwa", "very": "sana", "first": "kwanza",
    "time": "mara", "friend": "rafiki", "morning": "asubuhi", "afternoon": "mchana", "evening": "jioni",
    "night": "usiku", "police": "polisi", "officer": "afisa", "nobody": "hakuna mtu", "slowly": "polepole",
    "quickly": "haraka",
}

# =========================================================================================================
# Thai (th). No inflection; modifiers follow the noun; "กำลัง" marks the progressive, "ไม่ได้" negates it.
# =========================================================================================================

TH_PERSONS = {
    "woman": "ผู้หญิง", "man": "ผู้ชาย", "girl": "เด็กผู้หญิง", "boy": "เด็กผู้ชาย", "child": "เด็ก",
    "teacher": "ครู", "doctor": "หมอ", "student": "นักเรียน", "farmer": "ชาวนา", "nurse": "พยาบาล",
    "driver": "คนขับรถ", "cook": "พ่อครัว", "mother": "แม่", "father": "พ่อ", "grandmother": "ยาย",
    "police officer": "ตำรวจ", "person": "คน",
}
TH_SUBJ_ADJ = {  # attributive, predicate, negated predicate
    "tall": ("ตัวสูง", "ตัวสูง", "ตัวไม่สูง"), "short": ("ตัวเตี้ย", "ตัวเตี้ย", "ตัวไม่เตี้ย"),
    "young": ("อายุน้อย", "อายุน้อย", "อายุไม่น้อย"), "old": ("สูงอายุ", "แก่", "ไม่แก่"),
    "happy": ("ที่มีความสุข", "มีความสุข", "ไม่มีความสุข"), "sad": ("ที่เศร้า", "เศร้า", "ไม่เศร้า"),
    "tired": ("ที่เหนื่อย", "เหนื่อย", "ไม่เหนื่อย"), "hungry": ("ที่หิว", "หิว", "ไม่หิว"),
    "angry": ("ที่โกรธ", "โกรธ", "ไม่โกรธ"), "busy": ("ที่ยุ่ง", "ยุ่ง", "ไม่ยุ่ง"),
    "quiet": ("ที่เงียบขรึม", "เงียบขรึม", "ไม่เงียบขรึม"), "strong": ("ที่แข็งแรง", "แข็งแรง", "ไม่แข็งแรง"),
    "kind": ("ใจดี", "ใจดี", "ไม่ใจดี"),
}
TH_OBJECTS = {
    "book": "หนังสือ", "newspaper": "หนังสือพิมพ์", "letter": "จดหมาย", "story": "เรื่องสั้น", "bread": "ขนมปัง",
    "apple": "แอปเปิล", "rice": "ข้าว", "soup": "ซุป", "fish": "ปลา", "water": "น้ำ", "tea": "ชา", "milk": "นม",
    "coffee": "กาแฟ", "juice": "น้ำผลไม้", "cake": "เค้ก", "dishes": "จาน", "clothes": "เสื้อผ้า", "car": "รถ",
    "bag": "กระเป๋า", "box": "กล่อง", "basket": "ตะกร้า", "chair": "เก้าอี้", "table": "โต๊ะ", "picture": "ภาพ",
    "door": "ประตู", "window": "หน้าต่าง", "bicycle": "จักรยาน", "radio": "วิทยุ", "film": "ภาพยนตร์",
    "match": "การแข่งขัน", "football": "ฟุตบอล", "chess": "หมากรุก", "song": "เพลง", "shoes": "รองเท้า",
    "ball": "ลูกบอล", "something": "อะไรบางอย่าง",
}
TH_OBJ_ADJ = {"red": "สีแดง", "blue": "สีน้ำเงิน", "green": "สีเขียว", "white": "สีขาว", "black": "สีดำ",
              "new": "ใหม่", "big": "ใหญ่", "small": "เล็ก", "heavy": "หนัก"}
TH_VERBS = {  # verb with an object, verb without one (None: the same)
    "reading": ("อ่าน", None), "writing": ("เขียน", None), "eating": ("กิน", None), "drinking": ("ดื่ม", None),
    "cooking": ("ทำ", "ทำอาหาร"), "washing": ("ล้าง", None), "carrying": ("ถือ", None),
    "painting": ("วาด", "ระบายสี"), "buying": ("ซื้อ", None), "selling": ("ขาย", None), "opening": ("เปิด", None),
    "repairing": ("ซ่อม", None), "cleaning": ("ทำความสะอาด", None), "watching": ("ดู", None),
    "playing": ("เล่น", None), "throwing": ("ขว้าง", None), "singing": ("ร้องเพลง", None),
    "sleeping": ("นอนหลับ", None), "running": ("วิ่ง", None), "dancing": ("เต้นรำ", None),
    "laughing": ("หัวเราะ", None), "crying": ("ร้องไห้", None), "swimming": ("ว่ายน้ำ", None),
    "waiting": ("รอ", None), "walking": ("เดิน", None), "resting": ("พักผ่อน", None), "working": ("ทำงาน", None),
    "smiling": ("ยิ้ม", None), "studying": ("เรียนหนังสือ", None),
}
TH_VERB_OVERRIDES = {("washing", "clothes"): "ซัก", ("cooking", "rice"): "หุง"}
TH_PLACES = {
    "garden": ("ในสวน", "สวน"), "park": ("ในสวนสาธารณะ", "สวนสาธารณะ"), "beach": ("บนชายหาด", "ชายหาด"),
    "street": ("บนถนน", "ถนน"), "market": ("ที่ตลาด", "ตลาด"), "field": ("ในทุ่ง", "ทุ่ง"),
    "river": ("ในแม่น้ำ", "แม่น้ำ"), "lake": ("ในทะเลสาบ", "ทะเลสาบ"), "kitchen": ("ในครัว", "ครัว"),
    "library": ("ในห้องสมุด", "ห้องสมุด"), "classroom": ("ในห้องเรียน", "ห้องเรียน"),
    "office": ("ในสำนักงาน", "สำนักงาน"), "shop": ("ในร้าน", "ร้าน"), "restaurant": ("ในร้านอาหาร", "ร้านอาหาร"),
    "home": ("ที่บ้าน", "บ้าน"), "hospital": ("ในโรงพยาบาล", "โรงพยาบาล"),
}
TH_TIMES = {"this morning": "เช้านี้", "this afternoon": "บ่ายนี้", "this evening": "เย็นนี้",
            "at night": "ตอนกลางคืน"}
TH_MANNERS = {"with a friend": "กับเพื่อน", "for a friend": "ให้เพื่อน", "for the first time": "เป็นครั้งแรก",
              "very slowly": "ช้ามาก", "very quickly": "เร็วมาก", "alone": "คนเดียว"}
TH_LOC = {"outside": ("อยู่ข้างนอก", "ข้างนอก"), "inside": ("อยู่ข้างใน", "ข้างใน")}
TH_WORDS = {
    "the": "", "a": "", "an": "", "is": "เป็น", "not": "ไม่", "in": "ใน", "on": "บน", "at": "ที่", "this": "นี้",
    "while": "ขณะที่", "with": "กับ", "for": "สำหรับ", "very": "มาก", "first": "แรก", "time": "ครั้ง",
    "friend": "เพื่อน", "morning": "ตอนเช้า", "afternoon": "ตอนบ่าย", "evening": "ตอนเย็น", "night": "กลางคืน",
    "police": "ตำรวจ", "officer": "เจ้าหน้าที่", "nobody": "ไม่มีใคร", "slowly": "ช้า", "quickly": "เร็ว",
}

# =========================================================================================================
# Arabic (ar). Modern Standard Arabic, unvocalised except the accusative tanween alif. Definite subjects:
# SVO; indefinite subjects: VSO. Verbs agree in gender (ي- masculine, ت- feminine), adjectives in gender and
# definiteness.
# =========================================================================================================

AR_PERSONS = {  # indefinite, definite
    "woman": ("امرأة", "المرأة"), "man": ("رجل", "الرجل"), "girl": ("فتاة", "الفتاة"), "boy": ("ولد", "الولد"),
    "child": ("طفل", "الطفل"), "teacher": ("معلمة", "المعلمة"), "doctor": ("طبيب", "الطبيب"),
    "student": ("طالبة", "الطالبة"), "farmer": ("مزارع", "المزارع"), "nurse": ("ممرضة", "الممرضة"),
    "driver": ("سائق", "السائق"), "cook": ("طباخ", "الطباخ"), "mother": ("أم", "الأم"), "father": ("أب", "الأب"),
    "grandmother": ("جدة", "الجدة"), "police officer": ("شرطي", "الشرطي"), "person": ("شخص", "الشخص"),
}
AR_SUBJ_ADJ = {  # masculine, feminine
    "tall": ("طويل", "طويلة"), "short": ("قصير", "قصيرة"), "young": ("شاب", "شابة"), "old": ("مسن", "مسنة"),
    "happy": ("سعيد", "سعيدة"), "sad": ("حزين", "حزينة"), "tired": ("متعب", "متعبة"),
    "hungry": ("جائع", "جائعة"), "angry": ("غاضب", "غاضبة"), "busy": ("مشغول", "مشغولة"),
    "quiet": ("هادئ", "هادئة"), "strong": ("قوي", "قوية"), "kind": ("لطيف", "لطيفة"),
}
AR_OBJECTS = {  # form used as a direct object (indefinite accusative or definite), gender
    "book": ("كتاباً", "m"), "newspaper": ("جريدة", "f"), "letter": ("رسالة", "f"), "story": ("قصة", "f"),
    "bread": ("الخبز", "m"), "apple": ("تفاحة", "f"), "rice": ("الأرز", "m"), "soup": ("الحساء", "m"),
    "fish": ("السمك", "m"), "water": ("الماء", "m"), "tea": ("الشاي", "m"), "milk": ("الحليب", "m"),
    "coffee": ("القهوة", "f"), "juice": ("العصير", "m"), "cake": ("كعكة", "f"), "dishes": ("الأطباق", "f"),
    "clothes": ("الملابس", "f"), "car": ("سيارة", "f"), "bag": ("حقيبة", "f"), "box": ("صندوقاً", "m"),
    "basket": ("سلة", "f"), "chair": ("كرسياً", "m"), "table": ("طاولة", "f"), "picture": ("صورة", "f"),
    "door": ("الباب", "m"), "window": ("النافذة", "f"), "bicycle": ("دراجة", "f"), "radio": ("مذياعاً", "m"),
    "film": ("فيلماً", "m"), "match": ("مباراة", "f"), "football": ("كرة القدم", "f"),
    "chess": ("الشطرنج", "m"), "song": ("أغنية", "f"), "shoes": ("حذاءً", "m"), "ball": ("كرة", "f"),
    "something": ("شيئاً", "m"),
}
AR_LEMMA_OVERRIDES = {"something": "شيء"}
AR_OBJ_ADJ = {  # masculine indefinite accusative, feminine
    "red": ("أحمر", "حمراء"), "blue": ("أزرق", "زرقاء"), "green": ("أخضر", "خضراء"), "white": ("أبيض", "بيضاء"),
    "black": ("أسود", "سوداء"), "new": ("جديداً", "جديدة"), "big": ("كبيراً", "كبيرة"),
    "small": ("صغيراً", "صغيرة"), "heavy": ("ثقيلاً", "ثقيلة"),
}
AR_VERBS = {  # 3rd person masculine singular imperfect (the feminine swaps the first letter ي for ت)
    "reading": "يقرأ", "writing": "يكتب", "eating": "يأكل", "drinking": "يشرب", "cooking": "يطبخ",
    "washing": "يغسل", "carrying": "يحمل", "painting": "يرسم", "buying": "يشتري", "selling": "يبيع",
    "opening": "يفتح", "repairing": "يصلح", "cleaning": "ينظف", "watching": "يشاهد", "playing": "يلعب",
    "throwing": "يرمي", "singing": "يغني", "sleeping": "ينام", "running": "يركض", "dancing": "يرقص",
    "laughing": "يضحك", "crying": "يبكي", "swimming": "يسبح", "waiting": "ينتظر", "walking": "يمشي",
    "resting": "يستريح", "working": "يعمل", "smiling": "يبتسم", "studying": "يدرس",
}
AR_PLACES = {
    "garden": ("في الحديقة", "حديقة"), "park": ("في المتنزه", "متنزه"), "beach": ("على الشاطئ", "شاطئ"),
    "street": ("في الشارع", "شارع"), "market": ("في السوق", "سوق"), "field": ("في الحقل", "حقل"),
    "river": ("في النهر", "نهر"), "lake": ("في البحيرة", "بحيرة"), "kitchen": ("في المطبخ", "مطبخ"),
    "library": ("في المكتبة", "مكتبة"), "classroom": ("في الفصل", "فصل"), "office": ("في المكتب", "مكتب"),
    "shop": ("في المتجر", "متجر"), "restaurant": ("في المطعم", "مطعم"), "home": ("في البيت", "بيت"),
    "hospital": ("في المستشفى", "مستشفى"),
}
AR_TIMES = {"this morning": "هذا الصباح", "this afternoon": "بعد ظهر اليوم", "this evening": "هذا المساء",
            "at night": "في الليل"}
AR_MANNERS = {  # masculine, feminine
    "with a friend": ("مع صديق", "مع صديق"), "for a friend": ("من أجل صديق", "من أجل صديق"),
    "for the first time": ("لأول مرة", "لأول مرة"), "very slowly": ("ببطء شديد", "ببطء شديد"),
    "very quickly": ("بسرعة كبيرة", "بسرعة كبيرة"), "alone": ("وحده", "وحدها"),
}
AR_LOC = {"outside": ("في الخارج", "خارج"), "inside": ("في الداخل", "داخل")}
AR_WORDS = {
    "the": "", "a": "", "an": "", "is": "", "not": "لا", "in": "في", "on": "على", "at": "عند", "this": "هذا",
    "while": "بينما", "with": "مع", "for": "من أجل", "very": "جداً", "first": "أول", "time": "مرة",
    "friend": "صديق", "morning": "صباح", "afternoon": "بعد الظهر", "evening": "مساء", "night": "ليل",
    "police": "شرطة", "officer": "ضابط", "nobody": "لا أحد", "slowly": "ببطء", "quickly": "بسرعة",
}

# =========================================================================================================
# Russian (ru). Present tense; adjectives agree in gender (subjects, nominative) and in gender/case
# (objects, accusative); places are given as whole prepositional phrases.
# =========================================================================================================

RU_PERSONS = {
    "woman": "женщина", "man": "мужчина", "girl": "девочка", "boy": "мальчик", "child": "ребёнок",
    "teacher": "учительница", "doctor": "врач", "student": "студентка", "farmer": "фермер",
    "nurse": "медсестра", "driver": "водитель", "cook": "повар", "mother": "мама", "father": "папа",
    "grandmother": "бабушка", "police officer": "полицейский", "person": "человек",
}
RU_SUBJ_ADJ = {  # attributive m, f; predicate m, f
    "tall": ("высокий", "высокая", "высокий", "высокая"),
    "short": ("невысокий", "невысокая", "невысокий", "невысокая"),
    "young": ("молодой", "молодая", "молодой", "молодая"),
    "old": ("пожилой", "пожилая", "пожилой", "пожилая"),
    "happy": ("счастливый", "счастливая", "счастлив", "счастлива"),
    "sad": ("грустный", "грустная", "грустный", "грустная"),
    "tired": ("уставший", "уставшая", "устал", "устала"),
    "hungry": ("голодный", "голодная", "голоден", "голодна"),
    "angry": ("сердитый", "сердитая", "сердит", "сердита"),
    "busy": ("занятой", "занятая", "занят", "занята"),
    "quiet": ("тихий", "тихая", "тихий", "тихая"),
    "strong": ("сильный", "сильная", "сильный", "сильная"),
    "kind": ("добрый", "добрая", "добрый", "добрая"),
}
RU_OBJECTS = {  # nominative, accusative (as used after the verb), gender m/f/n/pl
    "book": ("книга", "книгу", "f"), "newspaper": ("газета", "газету", "f"), "letter": ("письмо", "письмо", "n"),
    "story": ("рассказ", "рассказ", "m"), "bread": ("хлеб", "хлеб", "m"), "apple": ("яблоко", "яблоко", "n"),
    "rice": ("рис", "рис", "m"), "soup": ("суп", "суп", "m"), "fish": ("рыба", "рыбу", "f"),
    "water": ("вода", "воду", "f"), "tea": ("чай", "чай", "m"), "milk": ("молоко", "молоко", "n"),
    "coffee": ("кофе", "кофе", "m"), "juice": ("сок", "сок", "m"), "cake": ("торт", "торт", "m"),
    "dishes": ("посуда", "посуду", "f"), "clothes": ("одежда", "одежду", "f"), "car": ("машина", "машину", "f"),
    "bag": ("сумка", "сумку", "f"), "box": ("коробка", "коробку", "f"), "basket": ("корзина", "корзину", "f"),
    "chair": ("стул", "стул", "m"), "table": ("стол", "стол", "m"), "picture": ("картина", "картину", "f"),
    "door": ("дверь", "дверь", "f"), "window": ("окно", "окно", "n"),
    "bicycle": ("велосипед", "велосипед", "m"), "radio": ("радио", "радио", "n"),
    "film": ("фильм", "фильм", "m"), "match": ("матч", "матч", "m"), "football": ("футбол", "в футбол", "m"),
    "chess": ("шахматы", "в шахматы", "pl"), "song": ("песня", "песню", "f"), "shoes": ("туфли", "туфли", "pl"),
    "ball": ("мяч", "мяч", "m"), "something": ("что-то", "что-то", "n"),
}
RU_GENDER_SLOT = {"m": 0, "f": 1, "n": 2, "pl": 3}
RU_OBJ_ADJ = {  # accusative m (inanimate), f, n, pl
    "red": ("красный", "красную", "красное", "красные"), "blue": ("синий", "синюю", "синее", "синие"),
    "green": ("зелёный", "зелёную", "зелёное", "зелёные"), "white": ("белый", "белую", "белое", "белые"),
    "black": ("чёрный", "чёрную", "чёрное", "чёрные"), "new": ("новый", "новую", "новое", "новые"),
    "big": ("большой", "большую", "большое", "большие"),
    "small": ("маленький", "маленькую", "маленькое", "маленькие"),
    "heavy": ("тяжёлый", "тяжёлую", "тяжёлое", "тяжёлые"),
}
RU_VERBS = {
    "reading": "читает", "writing": "пишет", "eating": "ест", "drinking": "пьёт", "cooking": "готовит",
    "washing": "моет", "carrying": "несёт", "painting": "рисует", "buying": "покупает", "selling": "продаёт",
    "opening": "открывает", "repairing": "чинит", "cleaning": "чистит", "watching": "смотрит",
    "playing": "играет", "throwing": "бросает", "singing": "поёт", "sleeping": "спит", "running": "бегает",
    "dancing": "танцует", "laughing": "смеётся", "crying": "плачет", "swimming": "плавает", "waiting": "ждёт",
    "walking": "гуляет", "resting": "отдыхает", "working": "работает", "smiling": "улыбается",
    "studying": "учится",
}
RU_VERB_OVERRIDES = {("washing", "clothes"): "стирает"}
RU_PLACES = {
    "garden": ("в саду", "сад"), "park": ("в парке", "парк"), "beach": ("на пляже", "пляж"),
    "street": ("на улице", "улица"), "market": ("на рынке", "рынок"), "field": ("в поле", "поле"),
    "river": ("в реке", "река"), "lake": ("в озере", "озеро"), "kitchen": ("на кухне", "кухня"),
    "library": ("в библиотеке", "библиотека"), "classroom": ("в классе", "класс"), "office": ("в офисе", "офис"),
    "shop": ("в магазине", "магазин"), "restaurant": ("в ресторане", "ресторан"), "home": ("дома", "дом"),
    "hospital": ("в больнице", "больница"),
}
RU_TIMES = {"this morning": "сегодня утром", "this afternoon": "сегодня днём", "this evening": "сегодня вечером",
            "at night": "ночью"}
RU_MANNERS = {  # masculine, feminine
    "with a friend": ("с другом", "с другом"), "for a friend": ("для друга", "для друга"),
    "for the first time": ("впервые", "впервые"), "very slowly": ("очень медленно", "очень медленно"),
    "very quickly": ("очень быстро", "очень быстро"), "alone": ("один", "одна"),
}
RU_LOC = {"outside": ("находится снаружи", "снаружи"), "inside": ("находится в помещении", "внутри")}
RU_WORDS = {
    "the": "", "a": "", "an": "", "is": "", "not": "не", "in": "в", "on": "на", "at": "в", "this": "этот",
    "while": "пока", "with": "с", "for": "для", "very": "очень", "first": "первый", "time": "раз",
    "friend": "друг", "morning": "утро", "afternoon": "день", "evening": "вечер", "night": "ночь",
    "police": "полиция", "officer": "офицер", "nobody": "никто", "slowly": "медленно", "quickly": "быстро",
}

# =========================================================================================================
# Chinese (zh, simplified). Subject + time + (在 place) + verb + object; 正在 marks the progressive without
# a place; 没有 negates; indefinite count nouns take 一 + classifier.
# =========================================================================================================

ZH_PERSONS = {
    "woman": "女人", "man": "男人", "girl": "女孩", "boy": "男孩", "child": "孩子", "teacher": "老师",
    "doctor": "医生", "student": "学生", "farmer": "农民", "nurse": "护士", "driver": "司机", "cook": "厨师",
    "mother": "妈妈", "father": "爸爸", "grandmother": "奶奶", "police officer": "警察", "person": "人",
}
ZH_SUBJ_ADJ = {  # attributive, predicate, negated predicate
    "tall": ("高个子的", "个子很高", "个子不高"), "short": ("矮个子的", "个子很矮", "个子不矮"),
    "young": ("年轻的", "很年轻", "不年轻"), "old": ("年老的", "年纪很大", "年纪不大"),
    "happy": ("开心的", "很开心", "不开心"), "sad": ("伤心的", "很伤心", "不伤心"),
    "tired": ("疲惫的", "很累", "不累"), "hungry": ("饥饿的", "很饿", "不饿"),
    "angry": ("生气的", "很生气", "不生气"), "busy": ("忙碌的", "很忙", "不忙"),
    "quiet": ("安静的", "很安静", "不安静"), "strong": ("强壮的", "很强壮", "不强壮"),
    "kind": ("善良的", "很善良", "不善良"),
}
ZH_OBJECTS = {  # noun, classifier ("" for mass nouns)
    "book": ("书", "本"), "newspaper": ("报纸", "份"), "letter": ("信", "封"), "story": ("故事", "个"),
    "bread": ("面包", ""), "apple": ("苹果", "个"), "rice": ("米饭", ""), "soup": ("汤", ""), "fish": ("鱼", ""),
    "water": ("水", ""), "tea": ("茶", ""), "milk": ("牛奶", ""), "coffee": ("咖啡", ""), "juice": ("果汁", ""),
    "cake": ("蛋糕", "个"), "dishes": ("碗", ""), "clothes": ("衣服", ""), "car": ("车", "辆"), "bag": ("包", "个"),
    "box": ("箱子", "个"), "basket": ("篮子", "个"), "chair": ("椅子", "把"), "table": ("桌子", "张"),
    "picture": ("画", "幅"), "door": ("门", ""), "window": ("窗户", ""), "bicycle": ("自行车", "辆"),
    "radio": ("收音机", "台"), "film": ("电影", "部"), "match": ("比赛", "场"), "football": ("足球", ""),
    "chess": ("象棋", ""), "song": ("歌", "首"), "shoes": ("鞋", "双"), "ball": ("球", "个"),
    "something": ("东西", ""),
}
ZH_OBJ_ADJ = {"red": "红色的", "blue": "蓝色的", "green": "绿色的", "white": "白色的", "black": "黑色的",
              "new": "新", "big": "大", "small": "小", "heavy": "很重的"}
ZH_VERBS = {  # verb with an object, verb without one (None: the same)
    "reading": ("读", "阅读"), "writing": ("写", "写字"), "eating": ("吃", "吃东西"), "drinking": ("喝", "喝东西"),
    "cooking": ("做", "做饭"), "washing": ("洗", None), "carrying": ("拿", None), "painting": ("画", "画画"),
    "buying": ("买", None), "selling": ("卖", None), "opening": ("打开", None), "repairing": ("修", None),
    "cleaning": ("擦", None), "watching": ("看", None), "playing": ("玩", None), "throwing": ("扔", None),
    "singing": ("唱歌", None), "sleeping": ("睡觉", None), "running": ("跑步", None), "dancing": ("跳舞", None),
    "laughing": ("笑", None), "crying": ("哭", None), "swimming": ("游泳", None), "waiting": ("等待", None),
    "walking": ("散步", None), "resting": ("休息", None), "working": ("工作", None), "smiling": ("微笑", None),
    "studying": ("学习", None),
}
ZH_VERB_OVERRIDES = {("playing", "football"): "踢", ("playing", "chess"): "下", ("cooking", "rice"): "煮",
                     ("carrying", "box"): "搬", ("carrying", "table"): "搬", ("carrying", "chair"): "搬"}
ZH_PLACES = {  # place phrase after 在, noun
    "garden": ("花园里", "花园"), "park": ("公园里", "公园"), "beach": ("海滩上", "海滩"), "street": ("街上", "街道"),
    "market": ("市场上", "市场"), "field": ("田野里", "田野"), "river": ("河里", "河"), "lake": ("湖里", "湖"),
    "kitchen": ("厨房里", "厨房"), "library": ("图书馆里", "图书馆"), "classroom": ("教室里", "教室"),
    "office": ("办公室里", "办公室"), "shop": ("商店里", "商店"), "restaurant": ("餐馆里", "餐馆"),
    "home": ("家里", "家"), "hospital": ("医院里", "医院"),
}
ZH_TIMES = {"this morning": "今天早上", "this afternoon": "今天下午", "this evening": "今天晚上", "at night": "夜里"}
ZH_MANNERS = {  # phrase, position: "pre" (before 在/正在) or "verb" (right before the verb)
    "with a friend": ("和一个朋友一起", "pre"), "for a friend": ("为一个朋友", "verb"),
    "for the first time": ("第一次", "pre"), "very slowly": ("慢慢地", "verb"), "very quickly": ("很快地", "verb"),
    "alone": ("独自", "pre"),
}
ZH_LOC = {"outside": ("在外面", "外面"), "inside": ("在室内", "室内")}
ZH_WORDS = {
    "the": "", "a": "一个", "an": "一个", "is": "是", "not": "不", "in": "在", "on": "在", "at": "在", "this": "这",
    "while": "同时", "with": "和", "for": "为", "very": "很", "first": "第一", "time": "次", "friend": "朋友",
    "morning": "早上", "afternoon": "下午", "evening": "晚上", "night": "夜里", "police": "警察", "officer": "警官",
    "nobody": "没有人", "slowly": "慢慢地", "quickly": "很快地",
}

# =========================================================================================================
# Hindi (hi). SOV: subject, time, place, manner, object, verb + रहा/रही है (agrees with the subject);
# adjectives in -ा agree in gender (and number) with their noun.
# =========================================================================================================

HI_PERSONS = {
    "woman": "महिला", "man": "आदमी", "girl": "लड़की", "boy": "लड़का", "child": "बच्चा", "teacher": "अध्यापिका",
    "doctor": "डॉक्टर", "student": "छात्रा", "farmer": "किसान", "nurse": "नर्स", "driver": "ड्राइवर",
    "cook": "रसोइया", "mother": "माँ", "father": "पिता", "grandmother": "दादी", "police officer": "पुलिसवाला",
    "person": "व्यक्ति",
}
HI_SUBJ_ADJ = {  # masculine, feminine
    "tall": ("लंबा", "लंबी"), "short": ("नाटा", "नाटी"), "young": ("जवान", "जवान"), "old": ("बूढ़ा", "बूढ़ी"),
    "happy": ("खुश", "खुश"), "sad": ("उदास", "उदास"), "tired": ("थका हुआ", "थकी हुई"),
    "hungry": ("भूखा", "भूखी"), "angry": ("नाराज़", "नाराज़"), "busy": ("व्यस्त", "व्यस्त"),
    "quiet": ("शांत", "शांत"), "strong": ("ताकतवर", "ताकतवर"), "kind": ("दयालु", "दयालु"),
}
HI_OBJECTS = {  # noun, gender m / f / mpl (masculine plural)
    "book": ("किताब", "f"), "newspaper": ("अख़बार", "m"), "letter": ("चिट्ठी", "f"), "story": ("कहानी", "f"),
    "bread": ("ब्रेड", "f"), "apple": ("सेब", "m"), "rice": ("चावल", "m"), "soup": ("सूप", "m"),
    "fish": ("मछली", "f"), "water": ("पानी", "m"), "tea": ("चाय", "f"), "milk": ("दूध", "m"),
    "coffee": ("कॉफ़ी", "f"), "juice": ("जूस", "m"), "cake": ("केक", "m"), "dishes": ("बर्तन", "mpl"),
    "clothes": ("कपड़े", "mpl"), "car": ("गाड़ी", "f"), "bag": ("बैग", "m"), "box": ("डिब्बा", "m"),
    "basket": ("टोकरी", "f"), "chair": ("कुर्सी", "f"), "table": ("मेज़", "f"), "picture": ("तस्वीर", "f"),
    "door": ("दरवाज़ा", "m"), "window": ("खिड़की", "f"), "bicycle": ("साइकिल", "f"), "radio": ("रेडियो", "m"),
    "film": ("फ़िल्म", "f"), "match": ("मैच", "m"), "football": ("फ़ुटबॉल", "m"), "chess": ("शतरंज", "m"),
    "song": ("गाना", "m"), "shoes": ("जूते", "mpl"), "ball": ("गेंद", "f"), "something": ("कुछ", "m"),
}
HI_GENDER_SLOT = {"m": 0, "f": 1, "mpl": 2}
HI_OBJ_ADJ = {  # m, f, m plural
    "red": ("लाल",) * 3, "blue": ("नीला", "नीली", "नीले"), "green": ("हरा", "हरी", "हरे"),
    "white": ("सफ़ेद",) * 3, "black": ("काला", "काली", "काले"), "new": ("नया", "नई", "नए"),
    "big": ("बड़ा", "बड़ी", "बड़े"), "small": ("छोटा", "छोटी", "छोटे"), "heavy": ("भारी",) * 3,
}
HI_VERBS = {  # stem with an object, stem without one (None: the same)
    "reading": ("पढ़", None), "writing": ("लिख", None), "eating": ("खा", "खाना खा"), "drinking": ("पी", None),
    "cooking": ("बना", "खाना बना"), "washing": ("धो", None), "carrying": ("ले जा", None),
    "painting": ("बना", "पेंटिंग कर"), "buying": ("खरीद", None), "selling": ("बेच", None),
    "opening": ("खोल", None), "repairing": ("ठीक कर", None), "cleaning": ("साफ़ कर", None),
    "watching": ("देख", None), "playing": ("खेल", None), "throwing": ("फेंक", None), "singing": ("गा", None),
    "sleeping": ("सो", None), "running": ("दौड़", None), "dancing": ("नाच", None), "laughing": ("हँस", None),
    "crying": ("रो", None), "swimming": ("तैर", None), "waiting": ("इंतज़ार कर", None), "walking": ("टहल", None),
    "resting": ("आराम कर", None), "working": ("काम कर", None), "smiling": ("मुस्कुरा", None),
    "studying": ("पढ़ाई कर", None),
}
HI_VERB_OVERRIDES = {("cooking", "rice"): "पका"}
HI_NEG_BEFORE_WHOLE_STEM = ("ले जा",)  # compound verbs negated as a whole; other two-word stems are noun + verb
HI_PLACES = {
    "garden": ("बगीचे में", "बगीचा"), "park": ("पार्क में", "पार्क"), "beach": ("समुद्र तट पर", "समुद्र तट"),
    "street": ("सड़क पर", "सड़क"), "market": ("बाज़ार में", "बाज़ार"), "field": ("मैदान में", "मैदान"),
    "river": ("नदी में", "नदी"), "lake": ("झील में", "झील"), "kitchen": ("रसोई में", "रसोई"),
    "library": ("पुस्तकालय में", "पुस्तकालय"), "classroom": ("कक्षा में", "कक्षा"), "office": ("दफ़्तर में", "दफ़्तर"),
    "shop": ("दुकान में", "दुकान"), "restaurant": ("रेस्तराँ में", "रेस्तराँ"), "home": ("घर पर", "घर"),
    "hospital": ("अस्पताल में", "अस्पताल"),
}
HI_TIMES = {"this morning": "आज सुबह", "this afternoon": "आज दोपहर", "this evening": "आज शाम", "at night": "रात में"}
HI_MANNERS = {"with a friend": "एक दोस्त के साथ", "for a friend": "एक दोस्त के लिए",
              "for the first time": "पहली बार", "very slowly": "बहुत धीरे-धीरे", "very quickly": "बहुत तेज़ी से",
              "alone": "अकेले"}
HI_LOC = {"outside": ("बाहर है", "बाहर"), "inside": ("अंदर है", "अंदर")}
HI_WORDS = {
    "the": "", "a": "एक", "an": "एक", "is": "है", "not": "नहीं", "in": "में", "on": "पर", "at": "पर", "this": "यह",
    "while": "जबकि", "with": "के साथ", "for": "के लिए", "very": "बहुत", "first": "पहला", "time": "बार",
    "friend": "दोस्त", "morning": "सुबह", "afternoon": "दोपहर", "evening": "शाम", "night": "रात",
    "police": "पुलिस", "officer": "अधिकारी", "nobody": "कोई नहीं", "slowly": "धीरे-धीरे", "quickly": "तेज़ी से",
}

# sentence assembly per language: how two clauses join, how a sentence ends
JOINERS = {"en": " while ", "sw": ", wakati ", "th": " ขณะที่", "ar": "، بينما ", "ru": ", пока ", "zh": "，同时",
           "hi": ", जबकि "}
ENDINGS = {"en": ".", "sw": ".", "th": "", "ar": ".", "ru": ".", "zh": "。", "hi": "।"}
CAPITALISED = ("en", "sw", "ru")

# =========================================================================================================
# Frames
# =========================================================================================================


@dataclass(frozen=True)
class Clause:
    """One language-neutral statement about one subject; rendered into every language."""
    subj: str
    definite: bool = True
    subj_adj: Optional[str] = None
    verb: Optional[str] = None
    obj: Optional[str] = None
    obj_adj: Optional[str] = None
    place: Optional[str] = None
    time: Optional[str] = None
    manner: Optional[str] = None
    negated: bool = False
    nobody: bool = False          # "Nobody is reading ..."
    state: Optional[str] = None   # predicate adjective: "The woman is (not) tired."
    loc: Optional[str] = None     # "outside" / "inside": "The woman is outside."


Sentence = tuple[Clause, ...]


def female(c: Clause) -> bool:
    return not c.nobody and GENDER[c.subj] == "f"


def indef_article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def allowed_places(verb: str, obj: Optional[str]) -> list[str]:
    spec = OBJECTS[obj].places if obj else None
    return [p for p in VERBS[verb].places if spec is None or p in spec]


def subj_adj_ok(adj: str, subj: str, verb: Optional[str]) -> bool:
    return subj not in ADJ_SUBJ_EXCLUDED.get(adj, ()) and verb not in ADJ_VERB_EXCLUDED.get(adj, ())


def obj_adjs(verb: str, obj: Optional[str]) -> tuple[str, ...]:
    return () if obj is None or verb in NO_OBJ_ADJ_VERBS else OBJECTS[obj].adjs


def manner_ok(manner: str, verb: str) -> bool:
    return verb in MANNERS[manner]


def incompatible(a: str, b: str) -> bool:
    """Whether one person cannot be doing activities a and b at the same time."""
    if a == b:
        return False
    ga, gb = VERBS[a].group, VERBS[b].group
    if "sleep" in (ga, gb):
        return a not in SLEEP_COMPATIBLE and b not in SLEEP_COMPATIBLE
    if "sport" in (ga, gb) and {ga, gb} <= {"sport", "still"}:
        return True
    return frozenset((a, b)) in EXCLUSIVE_PAIRS


# =========================================================================================================
# Renderers: one small set of functions per language
# =========================================================================================================

def verb_stem(table: dict, overrides: dict, c: Clause) -> str:
    """Pick the verb form from a (with-object, without-object) table, honouring (verb, object) overrides."""
    if (c.verb, c.obj) in overrides:
        return overrides[(c.verb, c.obj)]
    with_obj, without = table[c.verb]
    return with_obj if c.obj or without is None else without


# ---- English ----------------------------------------------------------------------------------------------

def en_subject(c: Clause) -> str:
    if c.nobody:
        return "nobody"
    words = ([c.subj_adj] if c.subj_adj else []) + [c.subj]
    return ("the" if c.definite else indef_article(words[0])) + " " + " ".join(words)


def en_object(c: Clause) -> str:
    article = OBJECTS[c.obj].article
    words = ([c.obj_adj] if c.obj_adj else []) + [c.obj]
    if article in ("a", "an"):
        words.insert(0, indef_article(words[0]))
    elif article == "the":
        words.insert(0, "the")
    return " ".join(words)


def en_clause(c: Clause) -> str:
    subj = en_subject(c)
    if c.state:
        return f"{subj} is {'not ' if c.negated else ''}{c.state}"
    if c.loc:
        return f"{subj} is {c.loc}"
    parts = [subj, "is not" if c.negated else "is", c.verb]
    if c.obj:
        parts.append(en_object(c))
    parts += [PLACES[c.place].en] if c.place else []
    parts += [x for x in (c.time, c.manner) if x]
    return " ".join(parts)


# ---- Swahili ----------------------------------------------------------------------------------------------

def sw_subject(c: Clause) -> str:
    if c.nobody:
        return "hakuna mtu"
    return " ".join([SW_PERSONS[c.subj]] + ([SW_SUBJ_ADJ[c.subj_adj][0]] if c.subj_adj else []))


def sw_object(c: Clause) -> str:
    noun, cls = SW_OBJECTS[c.obj]
    return f"{noun} {SW_OBJ_ADJ[c.obj_adj][SW_CLASS_SLOT[cls]]}" if c.obj_adj else noun


def sw_verb(c: Clause) -> str:
    pos, neg = SW_VERB_OVERRIDES.get((c.verb, c.obj), SW_VERBS[c.verb])
    if c.nobody:  # relative form: "hakuna mtu anayesoma"
        return "anaye" + pos[3:]
    return neg if c.negated else pos


def sw_clause(c: Clause) -> str:
    subj = sw_subject(c)
    if c.state:
        return f"{subj} {SW_SUBJ_ADJ[c.state][2 if c.negated else 1]}"
    if c.loc:
        return f"{subj} {SW_LOC[c.loc][0]}"
    parts = [subj, sw_verb(c)] + ([sw_object(c)] if c.obj else [])
    parts += [SW_PLACES[c.place][0]] if c.place else []
    parts += [SW_TIMES[c.time]] if c.time else []
    parts += [SW_MANNERS[c.manner]] if c.manner else []
    return " ".join(parts)


# ---- Thai -------------------------------------------------------------------------------------------------

def th_subject(c: Clause) -> str:
    if c.nobody:
        return "ไม่มีใคร"
    adj = TH_SUBJ_ADJ[c.subj_adj][0] if c.subj_adj else ""
    return TH_PERSONS[c.subj] + adj + ("" if c.definite else "คนหนึ่ง")


def th_object(c: Clause) -> str:
    return TH_OBJECTS[c.obj] + (TH_OBJ_ADJ[c.obj_adj] if c.obj_adj else "")


def th_verb(c: Clause) -> str:
    aux = "" if c.nobody else ("ไม่ได้" if c.negated else "กำลัง")
    return aux + verb_stem(TH_VERBS, TH_VERB_OVERRIDES, c)


def th_clause(c: Clause) -> str:
    subj = th_subject(c)
    if c.state:
        return subj + TH_SUBJ_ADJ[c.state][2 if c.negated else 1]
    if c.loc:
        return subj + TH_LOC[c.loc][0]
    parts = [subj, th_verb(c), th_object(c) if c.obj else ""]
    parts += [TH_PLACES[c.place][0] if c.place else "", TH_TIMES.get(c.time, ""), TH_MANNERS.get(c.manner, "")]
    return "".join(parts)


# ---- Arabic -----------------------------------------------------------------------------------------------

def ar_subject(c: Clause) -> str:
    if c.nobody:
        return "لا أحد"
    indef, definite = AR_PERSONS[c.subj]
    if not c.subj_adj:
        return definite if c.definite else indef
    adj = AR_SUBJ_ADJ[c.subj_adj][female(c)]
    return f"{definite} ال{adj}" if c.definite else f"{indef} {adj}"


def ar_object(c: Clause) -> str:
    noun, gender = AR_OBJECTS[c.obj]
    return f"{noun} {AR_OBJ_ADJ[c.obj_adj][gender == 'f']}" if c.obj_adj else noun


def ar_verb(c: Clause) -> str:
    verb = AR_VERBS[c.verb]
    if female(c):
        verb = "ت" + verb[1:]
    return "لا " + verb if c.negated else verb


def ar_state(c: Clause) -> str:
    masc, fem = AR_SUBJ_ADJ[c.state]
    if not c.negated:
        return fem if female(c) else masc
    return "ليست " + fem if female(c) else "ليس " + masc + "اً"


def ar_clause(c: Clause) -> str:
    subj = ar_subject(c)
    if c.state:
        return f"{subj} {ar_state(c)}"
    if c.loc:
        return f"{subj} {AR_LOC[c.loc][0]}"
    verb = ar_verb(c)
    parts = [f"{verb} {subj}" if not (c.definite or c.nobody) else f"{subj} {verb}"]  # indefinite: VSO
    parts += [ar_object(c)] if c.obj else []
    parts += [AR_PLACES[c.place][0]] if c.place else []
    parts += [AR_TIMES[c.time]] if c.time else []
    parts += [AR_MANNERS[c.manner][female(c)]] if c.manner else []
    return " ".join(parts)


# ---- Russian ----------------------------------------------------------------------------------------------

def ru_subject(c: Clause) -> str:
    if c.nobody:
        return "никто"
    adj = [RU_SUBJ_ADJ[c.subj_adj][female(c)]] if c.subj_adj else []
    return " ".join(adj + [RU_PERSONS[c.subj]])


def ru_object(c: Clause) -> str:
    _, acc, gender = RU_OBJECTS[c.obj]
    return f"{RU_OBJ_ADJ[c.obj_adj][RU_GENDER_SLOT[gender]]} {acc}" if c.obj_adj else acc


def ru_verb(c: Clause) -> str:
    verb = RU_VERB_OVERRIDES.get((c.verb, c.obj), RU_VERBS[c.verb])
    return "не " + verb if c.negated or c.nobody else verb


def ru_clause(c: Clause) -> str:
    subj = ru_subject(c)
    if c.state:
        return f"{subj} {'не ' if c.negated else ''}{RU_SUBJ_ADJ[c.state][2 + female(c)]}"
    if c.loc:
        return f"{subj} {RU_LOC[c.loc][0]}"
    parts = [subj, ru_verb(c)] + ([ru_object(c)] if c.obj else [])
    parts += [RU_PLACES[c.place][0]] if c.place else []
    parts += [RU_TIMES[c.time]] if c.time else []
    parts += [RU_MANNERS[c.manner][female(c)]] if c.manner else []
    return " ".join(parts)


# ---- Chinese ----------------------------------------------------------------------------------------------

def zh_subject(c: Clause) -> str:
    if c.nobody:
        return "没有人"
    adj = ZH_SUBJ_ADJ[c.subj_adj][0] if c.subj_adj else ""
    return ("" if c.definite else "一个") + adj + ZH_PERSONS[c.subj]


def zh_object(c: Clause) -> str:
    noun, classifier = ZH_OBJECTS[c.obj]
    adj = ZH_OBJ_ADJ[c.obj_adj] if c.obj_adj else ""
    counted = classifier and OBJECTS[c.obj].article != "the" and not (c.negated or c.nobody)
    return ("一" + classifier if counted else "") + adj + noun


def zh_verb(c: Clause) -> str:
    """The verb with its aspect/negation marker, for a clause without a place."""
    aux = "在" if c.nobody else ("没有在" if c.negated else "正在")
    return aux + verb_stem(ZH_VERBS, ZH_VERB_OVERRIDES, c)


def zh_clause(c: Clause) -> str:
    subj = zh_subject(c)
    if c.state:
        return subj + ZH_SUBJ_ADJ[c.state][2 if c.negated else 1]
    if c.loc:
        return subj + ZH_LOC[c.loc][0]
    time = ZH_TIMES.get(c.time, "")
    head = time + subj if c.nobody else subj + time
    phrase, position = ZH_MANNERS.get(c.manner, ("", "pre"))
    pre, before_verb = (phrase, "") if position == "pre" else ("", phrase)
    verb = verb_stem(ZH_VERBS, ZH_VERB_OVERRIDES, c)
    obj = zh_object(c) if c.obj else ""
    if c.place:
        neg = "没有" if c.negated else ""
        return head + pre + neg + "在" + ZH_PLACES[c.place][0] + before_verb + verb + obj
    aux = zh_verb(c)[: -len(verb)]
    return head + aux + pre + before_verb + verb + obj


# ---- Hindi ------------------------------------------------------------------------------------------------

def hi_subject(c: Clause) -> str:
    if c.nobody:
        return "कोई भी"
    adj = [HI_SUBJ_ADJ[c.subj_adj][female(c)]] if c.subj_adj else []
    return " ".join(([] if c.definite else ["एक"]) + adj + [HI_PERSONS[c.subj]])


def hi_object(c: Clause) -> str:
    noun, gender = HI_OBJECTS[c.obj]
    words = [HI_OBJ_ADJ[c.obj_adj][HI_GENDER_SLOT[gender]]] if c.obj_adj else []
    counted = OBJECTS[c.obj].article in ("a", "an") and not (c.negated or c.nobody)
    return " ".join((["एक"] if counted else []) + words + [noun])


def hi_verb(c: Clause) -> str:
    stem = verb_stem(HI_VERBS, HI_VERB_OVERRIDES, c)
    aux = "रही है" if female(c) else "रहा है"
    if not (c.negated or c.nobody):
        return f"{stem} {aux}"
    if " " in stem and stem not in HI_NEG_BEFORE_WHOLE_STEM:  # "आराम नहीं कर रहा है", "खाना नहीं खा रहा है"
        noun, light_verb = stem.rsplit(" ", 1)
        return f"{noun} नहीं {light_verb} {aux}"
    return f"नहीं {stem} {aux}"


def hi_state(c: Clause) -> str:
    adj = HI_SUBJ_ADJ[c.state][female(c)]
    return f"{adj} नहीं है" if c.negated else f"{adj} है"


def hi_clause(c: Clause) -> str:
    subj = hi_subject(c)
    if c.state:
        return f"{subj} {hi_state(c)}"
    if c.loc:
        return f"{subj} {HI_LOC[c.loc][0]}"
    parts = [subj] + ([HI_TIMES[c.time]] if c.time else []) + ([HI_PLACES[c.place][0]] if c.place else [])
    parts += [HI_MANNERS[c.manner]] if c.manner else []
    parts += [hi_object(c)] if c.obj else []
    return " ".join(parts + [hi_verb(c)])


CLAUSE_RENDERERS: dict[str, Callable[[Clause], str]] = {
    "en": en_clause, "sw": sw_clause, "th": th_clause, "ar": ar_clause, "ru": ru_clause, "zh": zh_clause,
    "hi": hi_clause,
}


def render(lang: str, sentence: Sentence) -> str:
    text = JOINERS[lang].join(CLAUSE_RENDERERS[lang](c) for c in sentence)
    if lang in CAPITALISED:
        text = text[0].upper() + text[1:]
    return text + ENDINGS[lang]


# =========================================================================================================
# Premises and hypotheses
# =========================================================================================================

def droppable(c: Clause) -> list[str]:
    """Modifiers a hypothesis may leave out (the object only where the verb can stand alone)."""
    fields = [f for f in ("subj_adj", "obj_adj", "place", "time", "manner") if getattr(c, f) is not None]
    if c.obj is not None and VERBS[c.verb].intrans:
        fields.append("obj")
    return fields


def drop(c: Clause, fields: list[str]) -> Clause:
    changes = {f: None for f in fields}
    if "obj" in fields:
        changes["obj_adj"] = None
    return replace(c, **changes)


def random_drop(rng: random.Random, c: Clause, p: float, keep: tuple[str, ...] = ()) -> Clause:
    return drop(c, [f for f in droppable(c) if f not in keep and rng.random() < p])


def make_clause(rng: random.Random, exclude_subj: tuple[str, ...] = (), exclude_verb: tuple[str, ...] = (),
                richness: float = 1.0) -> Clause:
    subj = rng.choice([s for s in PREMISE_SUBJECTS if s not in exclude_subj])
    verb = rng.choice([v for v in VERBS if v not in exclude_verb])
    spec = VERBS[verb]
    obj = rng.choice(spec.objects) if spec.objects and (not spec.intrans or rng.random() < 0.7) else None
    adjs = obj_adjs(verb, obj)
    obj_adj = rng.choice(adjs) if adjs and rng.random() < 0.35 * richness else None
    subj_adjs = [a for a in SUBJ_ADJS if subj_adj_ok(a, subj, verb)]
    subj_adj = rng.choice(subj_adjs) if rng.random() < 0.5 * richness else None
    places = allowed_places(verb, obj)
    place = rng.choice(places) if places and rng.random() < 0.6 * richness else None
    time = rng.choice(list(TIMES)) if rng.random() < 0.3 * richness else None
    manners = [m for m in MANNERS if manner_ok(m, verb)]
    manner = rng.choice(manners) if manners and rng.random() < 0.25 * richness else None
    return Clause(subj=subj, definite=rng.random() < 0.6, subj_adj=subj_adj, verb=verb, obj=obj,
                  obj_adj=obj_adj, place=place, time=time, manner=manner)


def make_premise(rng: random.Random) -> Sentence:
    first = make_clause(rng)
    if rng.random() < 0.3:
        return first, make_clause(rng, (first.subj,), (first.verb,), richness=0.6)
    return (first,)


# Each pattern takes the clause the hypothesis is about (and the whole premise) and returns a hypothesis
# clause, or None where it does not apply.
Pattern = Callable[[random.Random, Clause, Sentence], Optional[Clause]]


def e_drop(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    """Leave out modifiers (or, for a two-clause premise, keep only one clause)."""
    fields = droppable(c)
    chosen = [f for f in fields if rng.random() < 0.5]
    if not chosen and len(premise) == 1:
        if not fields:
            return None
        chosen = [rng.choice(fields)]
    h = drop(c, chosen)
    return replace(h, definite=not h.definite) if rng.random() < 0.3 else h


def e_person(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    """"A person is ..." for any named subject."""
    h = random_drop(rng, c, 0.5)
    return replace(h, subj="person", definite=False, subj_adj=None if rng.random() < 0.6 else h.subj_adj)


def e_something(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    if c.obj is None or c.verb == "playing":
        return None
    return random_drop(rng, replace(c, obj="something", obj_adj=None), 0.5, keep=("obj",))


def e_location(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    outdoor = PLACES[c.place].outdoor if c.place else None
    if outdoor is None:
        return None
    adj = c.subj_adj if rng.random() < 0.3 else None
    return Clause(subj=c.subj, subj_adj=adj, loc="outside" if outdoor else "inside")


def e_not_other(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    """"The woman is not sleeping." when she is reading."""
    others = [v for v, spec in VERBS.items() if spec.intrans and incompatible(c.verb, v)]
    return Clause(subj=c.subj, verb=rng.choice(others), negated=True) if others else None


def e_state(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    return Clause(subj=c.subj, state=c.subj_adj) if c.subj_adj else None


def n_add(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    """Add one modifier the premise does not give (possibly leaving others out)."""
    spec = VERBS[c.verb]
    options: list[tuple[str, list[str]]] = []
    if c.subj_adj is None:
        options.append(("subj_adj", [a for a in SUBJ_ADJS if subj_adj_ok(a, c.subj, c.verb)]))
    if c.obj is None and spec.objects:
        options.append(("obj", [o for o in spec.objects if c.place is None or c.place in allowed_places(c.verb, o)]))
    if c.obj and c.obj_adj is None:
        options.append(("obj_adj", list(obj_adjs(c.verb, c.obj))))
    if c.place is None:
        options.append(("place", allowed_places(c.verb, c.obj)))
    if c.time is None:
        options.append(("time", list(TIMES)))
    if c.manner is None:
        options.append(("manner", [m for m in MANNERS if manner_ok(m, c.verb)]))
    options = [(f, cands) for f, cands in options if cands]
    if not options:
        return None
    field, cands = rng.choice(options)
    base = random_drop(rng, c, 0.4, keep=("obj",) if field == "obj_adj" else ())
    # generalising what the premise does give keeps the pair neutral, and keeps "a person" / "something"
    # from being entailment-only cue words
    if field != "subj_adj" and rng.random() < 0.25:
        base = replace(base, subj="person", definite=False, subj_adj=None)
    if base.obj and field not in ("obj", "obj_adj") and c.verb != "playing" and rng.random() < 0.2:
        base = replace(base, obj="something", obj_adj=None)
    return replace(base, **{field: rng.choice(cands)})


def n_state(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    """"The woman is (not) hungry." when the premise says nothing about it."""
    cands = [a for a in NEUTRAL_STATES if a != c.subj_adj and subj_adj_ok(a, c.subj, c.verb)]
    return Clause(subj=c.subj, state=rng.choice(cands), negated=rng.random() < 0.4) if cands else None


def n_role(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    """"A teacher is reading." when "a woman" is."""
    taken = [x.subj for x in premise]
    roles = [r for r in ROLES.get(c.subj, ()) if r not in taken]
    if not roles:
        return None
    return replace(random_drop(rng, c, 0.5), subj=rng.choice(roles), definite=False, subj_adj=None)


def c_verb(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    """Swap the activity for one that cannot happen at the same time."""
    others = [v for v in VERBS if incompatible(c.verb, v)]
    if not others:
        return None
    verb = rng.choice(others)
    spec = VERBS[verb]
    obj = rng.choice(spec.objects) if spec.objects and (not spec.intrans or rng.random() < 0.5) else None
    place = c.place if c.place in allowed_places(verb, obj) and rng.random() < 0.6 else None
    time = c.time if rng.random() < 0.5 else None
    adj = c.subj_adj if c.subj_adj and rng.random() < 0.3 and subj_adj_ok(c.subj_adj, c.subj, verb) else None
    return Clause(subj=c.subj, subj_adj=adj, verb=verb, obj=obj, place=place, time=time)


def c_negate(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    return replace(random_drop(rng, replace(c, manner=None), 0.5), negated=True, definite=True)


def c_object(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    others = [o for o in VERBS[c.verb].objects if o != c.obj]
    if c.obj is None or not others:
        return None
    obj = rng.choice(others)
    h = random_drop(rng, replace(c, manner=None), 0.5, keep=("obj",))
    adjs = obj_adjs(c.verb, obj)
    adj = rng.choice(adjs) if adjs and rng.random() < 0.3 else None
    place = h.place if h.place in allowed_places(c.verb, obj) else None
    return replace(h, obj=obj, obj_adj=adj, place=place, definite=True)


def c_place(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    if c.place is None:
        return None
    others = [p for p in allowed_places(c.verb, c.obj)
              if p != c.place and frozenset((p, c.place)) not in COMPATIBLE_PLACES]
    if not others:
        return None
    h = random_drop(rng, replace(c, manner=None), 0.4, keep=("place",))
    return replace(h, place=rng.choice(others), definite=True)


def c_location(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    outdoor = PLACES[c.place].outdoor if c.place else None
    if outdoor is None:
        return None
    return Clause(subj=c.subj, loc="inside" if outdoor else "outside")


def c_state(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    if c.subj_adj is None:
        return None
    if c.subj_adj in ANTONYMS and rng.random() < 0.5:
        return Clause(subj=c.subj, state=ANTONYMS[c.subj_adj])
    return Clause(subj=c.subj, state=c.subj_adj, negated=True)


def c_time(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    if c.time is None:
        return None
    others = [t for t, part in TIMES.items() if part != TIMES[c.time]]
    h = random_drop(rng, replace(c, manner=None), 0.4, keep=("time",))
    return replace(h, time=rng.choice(others), definite=True)


def c_manner(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    opposite = MANNER_OPPOSITE.get(c.manner or "")
    if opposite is None or not manner_ok(opposite, c.verb):
        return None
    return replace(random_drop(rng, c, 0.4, keep=("manner",)), manner=opposite, definite=True)


def c_nobody(rng: random.Random, c: Clause, premise: Sentence) -> Optional[Clause]:
    h = random_drop(rng, replace(c, manner=None, subj_adj=None), 0.5)
    return replace(h, nobody=True)


# patterns listed twice are drawn twice as often
PATTERNS: dict[str, tuple[Pattern, ...]] = {
    "entailment": (e_drop, e_drop, e_person, e_something, e_location, e_not_other, e_state),
    "neutral": (n_add, n_add, n_add, n_state, n_role),
    "contradiction": (c_verb, c_verb, c_negate, c_object, c_place, c_location, c_state, c_time, c_manner,
                      c_nobody),
}


def make_hypothesis(rng: random.Random, premise: Sentence, label: str) -> Optional[Clause]:
    patterns = list(PATTERNS[label])
    rng.shuffle(patterns)
    for pattern in patterns:
        h = pattern(rng, premise[rng.randrange(len(premise))], premise)
        if h is not None and render("en", (h,)) != render("en", premise):
            return h
    return None


class Group(NamedTuple):
    prompt_id: int
    genre: str
    premise: Sentence
    hypotheses: tuple[tuple[str, Clause], ...]  # (label, hypothesis) for each label


def make_groups(rng: random.Random, n: int, first_id: int, seen: set[str]) -> list[Group]:
    """n premises, each with one hypothesis per label; premises never repeat any sentence seen before."""
    groups: list[Group] = []
    while len(groups) < n:
        premise = make_premise(rng)
        text = render("en", premise)
        if text in seen or len(text.split()) < 5:
            continue
        hyps = [(label, make_hypothesis(rng, premise, label)) for label in LABELS]
        texts = {render("en", (h,)) for _, h in hyps if h is not None}
        if len(texts) < len(LABELS):
            continue
        seen.add(text)
        seen.update(texts)
        groups.append(Group(first_id + len(groups), rng.choice(GENRES), premise, tuple(hyps)))  # type: ignore[arg-type]
    return groups


def flatten(rng: random.Random, groups: list[Group]) -> list[tuple[Group, str, Clause]]:
    rows = [(g, label, h) for g in groups for label, h in g.hypotheses]
    rng.shuffle(rows)
    return rows


# =========================================================================================================
# Lexicons
# =========================================================================================================

class LexiconSource(NamedTuple):
    """Base (dictionary) forms for one language; phrases come from the renderers."""
    person: Callable[[str], str]
    subj_adj: Callable[[str], str]
    obj: Callable[[str], str]
    obj_adj: Callable[[str], str]
    verb: Callable[[str], str]
    places: dict[str, tuple[str, str]]
    times: dict[str, str]
    manner: Callable[[str], str]
    loc: dict[str, tuple[str, str]]
    words: dict[str, str]
    subject: Callable[[Clause], str]
    object: Callable[[Clause], str]
    verb_phrase: Callable[[Clause], str]
    clause: Callable[[Clause], str]


def ar_lemma(form: str) -> str:
    form = form[2:] if form.startswith("ال") else form
    return form[:-2] if form.endswith("اً") else form.rstrip("ً")


def _without_subject(clause: Callable[[Clause], str], subject: Callable[[Clause], str], joiner: str):
    return lambda c: clause(c)[len(subject(c)) + len(joiner):]


LEXICON_SOURCES: dict[str, LexiconSource] = {
    "sw": LexiconSource(
        SW_PERSONS.__getitem__, lambda a: SW_SUBJ_ADJ[a][0], lambda o: SW_OBJECTS[o][0],
        lambda a: SW_OBJ_ADJ[a][4], lambda v: SW_VERBS[v][0], SW_PLACES, SW_TIMES, SW_MANNERS.__getitem__,
        SW_LOC, SW_WORDS, sw_subject, sw_object, sw_verb, _without_subject(sw_clause, sw_subject, " ")),
    "th": LexiconSource(
        TH_PERSONS.__getitem__, lambda a: TH_SUBJ_ADJ[a][1], TH_OBJECTS.__getitem__, TH_OBJ_ADJ.__getitem__,
        lambda v: TH_VERBS[v][1] or TH_VERBS[v][0], TH_PLACES, TH_TIMES, TH_MANNERS.__getitem__, TH_LOC,
        TH_WORDS, th_subject, th_object, th_verb, _without_subject(th_clause, th_subject, "")),
    "ar": LexiconSource(
        lambda p: AR_PERSONS[p][0], lambda a: AR_SUBJ_ADJ[a][0],
        lambda o: AR_LEMMA_OVERRIDES.get(o) or ar_lemma(AR_OBJECTS[o][0]), lambda a: ar_lemma(AR_OBJ_ADJ[a][0]),
        AR_VERBS.__getitem__, AR_PLACES, AR_TIMES, lambda m: AR_MANNERS[m][0], AR_LOC, AR_WORDS,
        ar_subject, ar_object, ar_verb, _without_subject(ar_clause, ar_subject, " ")),
    "ru": LexiconSource(
        RU_PERSONS.__getitem__, lambda a: RU_SUBJ_ADJ[a][0], lambda o: RU_OBJECTS[o][0],
        lambda a: RU_OBJ_ADJ[a][0], RU_VERBS.__getitem__, RU_PLACES, RU_TIMES, lambda m: RU_MANNERS[m][0],
        RU_LOC, RU_WORDS, ru_subject, ru_object, ru_verb, _without_subject(ru_clause, ru_subject, " ")),
    "zh": LexiconSource(
        ZH_PERSONS.__getitem__, lambda a: ZH_SUBJ_ADJ[a][0], lambda o: ZH_OBJECTS[o][0], ZH_OBJ_ADJ.__getitem__,
        lambda v: ZH_VERBS[v][1] or ZH_VERBS[v][0],
        {k: ("在" + phrase, noun) for k, (phrase, noun) in ZH_PLACES.items()},  # the lexicon gives 在 + place
        ZH_TIMES, lambda m: ZH_MANNERS[m][0], ZH_LOC, ZH_WORDS, zh_subject, zh_object, zh_verb, _without_subject(zh_clause, zh_subject, "")),
    "hi": LexiconSource(
        HI_PERSONS.__getitem__, lambda a: HI_SUBJ_ADJ[a][0], lambda o: HI_OBJECTS[o][0],
        lambda a: HI_OBJ_ADJ[a][0], lambda v: (HI_VERBS[v][1] or HI_VERBS[v][0]) + " रहा", HI_PLACES, HI_TIMES,
        HI_MANNERS.__getitem__, HI_LOC, HI_WORDS, hi_subject, hi_object, hi_verb,
        _without_subject(hi_clause, hi_subject, " ")),
}


def build_lexicon(lang: str) -> dict[str, str]:
    """English word or phrase -> target, for every word and phrase the templates use."""
    src = LEXICON_SOURCES[lang]
    out: dict[str, str] = {}

    def add(english: str, target: str) -> None:
        out.setdefault(english, target)

    man = "man"  # a masculine subject gives the citation forms of agreeing words
    for person in GENDER:
        add(person, src.person(person))
        add(f"the {person}", src.subject(Clause(subj=person)))
        add(f"{indef_article(person)} {person}", src.subject(Clause(subj=person, definite=False)))
    for adj in SUBJ_ADJS:
        add(adj, src.subj_adj(adj))
        add(f"is {adj}", src.clause(Clause(subj=man, state=adj)))
        add(f"is not {adj}", src.clause(Clause(subj=man, state=adj, negated=True)))
    for obj in OBJECTS:
        add(obj, src.obj(obj))
        if OBJECTS[obj].article:
            add(en_object(Clause(subj=man, obj=obj)), src.object(Clause(subj=man, verb="reading", obj=obj)))
    for adj in OBJ_ADJS:
        add(adj, src.obj_adj(adj))
    for verb in VERBS:
        add(verb, src.verb(verb))
        add(f"is {verb}", src.verb_phrase(Clause(subj=man, verb=verb)))
        add(f"is not {verb}", src.verb_phrase(Clause(subj=man, verb=verb, negated=True)))
    for place, (phrase, noun) in src.places.items():
        add(PLACES[place].en, phrase)
        add(place, noun)
    for time, target in src.times.items():
        add(time, target)
    for manner in MANNERS:
        add(manner, src.manner(manner))
    for loc, (phrase, word) in src.loc.items():
        add(f"is {loc}", phrase)
        add(loc, word)
    for word, target in src.words.items():
        add(word, target)
    return dict(sorted(out.items()))


# =========================================================================================================
# Writing and checking
# =========================================================================================================

def write_text(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("".join(line + "\n" for line in lines))


def tsv_line(fields: list[str]) -> str:
    for field in fields:
        if "\t" in field or "\n" in field or "\r" in field:
            raise ValueError(f"tab or newline inside a field: {field!r}")
    return "\t".join(fields)


def write_mnli(path: Path, rows: list[tuple[Group, str, Clause]]) -> None:
    lines = [tsv_line(list(MNLI_HEADER))]
    for index, (group, label, hyp) in enumerate(rows):
        lines.append(tsv_line([
            str(index), str(group.prompt_id), f"{group.prompt_id}{LABEL_LETTER[label]}", group.genre,
            PARSE_PLACEHOLDER, PARSE_PLACEHOLDER, PARSE_PLACEHOLDER, PARSE_PLACEHOLDER,
            render("en", group.premise), render("en", (hyp,)), label, label,
        ]))
    write_text(path, lines)


def write_xnli(path: Path, lang: str, rows: list[tuple[Group, str, Clause]]) -> None:
    write_text(path, [tsv_line([render(lang, g.premise), render(lang, (h,)), label]) for g, label, h in rows])


def write_lexicon(path: Path, lang: str) -> None:
    entries = build_lexicon(lang)
    for english, target in entries.items():
        if not target and english not in MAY_BE_EMPTY:
            raise ValueError(f"empty {lang} target for {english!r}")
        if lang in ("th", "zh") and " " in target:
            raise ValueError(f"space inside a {lang} target: {english!r} -> {target!r}")
    write_text(path, [tsv_line(["source", "target"])] + [tsv_line([e, t]) for e, t in entries.items()])


README = """\
# The embedded NLI kit

A small, synthetic natural-language-inference kit that ships inside the package so that
`--kit` runs (training, zero-shot evaluation, tests) work offline. **Its scores are a smoke test
only**: they show the pipeline runs end to end, not how well a method works.

## What it is

Template text written by this project. Every sentence is produced by
`stilts/core/tasks/kit/generate.py` from handwritten vocabularies (about {n_nouns} nouns, {n_verbs} verbs,
{n_adjs} adjectives, {n_places} places, {n_times} times, {n_manners} manner phrases) and per-language sentence templates; no
row is copied from MNLI, XNLI or any other published dataset. Sentences are simple present-progressive
statements ("The tall woman is reading a book in the garden.", 5 to about 28 words; a third of the
premises join two clauses with "while"). Labels follow from construction:

- entailment: the hypothesis drops modifiers or a clause, generalises ("A person ...", "... something",
  "... is outside"), restates an adjective, or negates an incompatible activity;
- neutral: it adds a place, time, manner, object, adjective, role or state the premise does not give;
- contradiction: it swaps in an incompatible activity, object, place, time or manner, negates the
  premise, uses an antonym, or says nobody does it.

Each premise has exactly one hypothesis per label, so labels are balanced.

## Files

| path | format | rows |
|---|---|---|
| `mnli/train.tsv` | GLUE MNLI TSV (header; parse columns hold the placeholder `( )`) | {mnli_train} |
| `mnli/dev_matched.tsv` | same | {mnli_dev} |
| `xnli/test-{{lang}}.tsv` | XTREME XNLI TSV, no header: `premise, hypothesis, label` | {xnli_test} per language |
| `xnli/dev-{{lang}}.tsv` | same | {xnli_dev} per language |
| `lexicon/en-{{lang}}.tsv` | `source, target` with a header; words and phrases | {lexicon} per language |

Languages: {langs} (six scripts). Row i of every `xnli/test-{{lang}}.tsv` renders the same example
as row i of `xnli/test-en.tsv`. The XNLI premises never occur in the MNLI files, but they come from
the same templates, so a model trained on kit MNLI can transfer.

The lexicons list every English word the kit uses (checked when the kit is generated) and the
phrases the templates use ("is reading", "in the garden", "a book"), for an offline dictionary
translator. An empty target (`the`, `a`, `an`, `is` in languages without articles or a present-tense
copula) means the word is dropped. Thai and Chinese targets contain no spaces.

## Known simplifications

The English nouns for roles (teacher, student, nurse ...) are gender-neutral, but Arabic, Russian and
Hindi must choose a gender; the kit fixes one per role. Sentences are grammatical but plain, and one
word order is used per language.

## Regenerating

    python -m stilts.core.tasks.kit.generate

(The script uses only the standard library; `python stilts/core/tasks/kit/generate.py` also works where
the package's own dependencies are not installed.) The output is deterministic: running it twice gives byte-identical files.
"""


def write_readme(path: Path) -> None:
    n_lexicon = len(build_lexicon(TARGET_LANGS[0]))
    text = README.format(
        n_nouns=len(GENDER) + len(OBJECTS) - 1, n_verbs=len(VERBS), n_adjs=len(SUBJ_ADJS) + len(OBJ_ADJS),
        n_places=len(PLACES), n_times=len(TIMES), n_manners=len(MANNERS),
        mnli_train=3 * MNLI_SPLITS["train"][0], mnli_dev=3 * MNLI_SPLITS["dev_matched"][0],
        xnli_test=3 * XNLI_SPLITS["test"][0], xnli_dev=3 * XNLI_SPLITS["dev"][0], lexicon=n_lexicon,
        langs=", ".join(LANGS))
    write_text(path, text.splitlines())


def english_tokens(text: str) -> list[str]:
    return re.findall(r"[a-z]+", text.lower())


def kit_english_texts(data_dir: Path = DATA_DIR) -> list[str]:
    """Every English sentence in the kit files on disk."""
    texts: list[str] = []
    for split in MNLI_SPLITS:
        lines = (data_dir / "mnli" / f"{split}.tsv").read_text(encoding="utf-8").splitlines()[1:]
        texts += [t for line in lines for t in line.split("\t")[8:10]]
    for split in XNLI_SPLITS:
        lines = (data_dir / "xnli" / f"{split}-en.tsv").read_text(encoding="utf-8").splitlines()
        texts += [t for line in lines for t in line.split("\t")[:2]]
    return texts


def read_lexicon(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    if lines[0] != "source\ttarget":
        raise ValueError(f"{path}: bad header {lines[0]!r}")
    return dict(line.split("\t") for line in lines[1:])


def check_lexicon_coverage(data_dir: Path = DATA_DIR) -> None:
    """Fail loudly unless every English token in the kit has an entry in each target-language lexicon."""
    tokens = sorted({tok for text in kit_english_texts(data_dir) for tok in english_tokens(text)})
    problems = []
    for lang in TARGET_LANGS:
        lexicon = read_lexicon(data_dir / "lexicon" / f"en-{lang}.tsv")
        missing = [t for t in tokens if t not in lexicon]
        if missing:
            problems.append(f"en-{lang}: no entry for {missing}")
    if problems:
        raise SystemExit("lexicon coverage check failed:\n  " + "\n  ".join(problems))
    print(f"lexicon coverage: all {len(tokens)} English word types in the kit are in all "
          f"{len(TARGET_LANGS)} lexicons")


def summarize(data_dir: Path = DATA_DIR) -> None:
    total = 0
    for path in sorted(data_dir.rglob("*")):
        if not path.is_file():
            continue
        total += path.stat().st_size
        if path.suffix != ".tsv":
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        if path.parent.name == "mnli":
            labels = [line.split("\t")[-1] for line in lines[1:]]
        elif path.parent.name == "xnli":
            labels = [line.split("\t")[2] for line in lines]
        else:
            print(f"{path.relative_to(data_dir)}: {len(lines) - 1} entries")
            continue
        counts = ", ".join(f"{lab} {labels.count(lab)}" for lab in LABELS)
        print(f"{path.relative_to(data_dir)}: {len(labels)} rows ({counts})")
    print(f"total size: {total:,} bytes")


def main(argv: list[str] | None = None) -> None:
    """`--out DIR` writes elsewhere (the tests regenerate into a temp dir and compare bytes)."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[args.index("--out") + 1]) if "--out" in args else DATA_DIR
    seen: set[str] = set()
    for split, (n, offset, first_id) in MNLI_SPLITS.items():
        rng = random.Random(SEED + offset)
        write_mnli(out / "mnli" / f"{split}.tsv", flatten(rng, make_groups(rng, n, first_id, seen)))
    for split, (n, offset, first_id) in XNLI_SPLITS.items():
        rng = random.Random(SEED + offset)
        rows = flatten(rng, make_groups(rng, n, first_id, seen))
        for lang in LANGS:
            write_xnli(out / "xnli" / f"{split}-{lang}.tsv", lang, rows)
    for lang in TARGET_LANGS:
        write_lexicon(out / "lexicon" / f"en-{lang}.tsv", lang)
    write_readme(out / "README.md")
    check_lexicon_coverage(out)
    summarize(out)


if __name__ == "__main__":
    sys.exit(main())

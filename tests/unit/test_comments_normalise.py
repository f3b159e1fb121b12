"""Normalisation: folding meets accented and unaccented spellings, whatever the Unicode form."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from analysis.comments.normalise import clean, features, fold, has_diacritics

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
vietnamese_text = st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " ,.0123456789", max_size=60)


def test_fold_examples() -> None:
    assert fold("Chờ LÂU quá") == "cho lau qua"
    assert fold("Đường đi  ĐẾN   quầy") == "duong di den quay"
    assert fold("cho lau qua") == "cho lau qua"
    assert has_diacritics("chờ lâu") and not has_diacritics("cho lau")


@given(vietnamese_text)
def test_fold_is_idempotent_and_ascii(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert folded.isascii()


@given(vietnamese_text)
def test_nfc_and_nfd_give_the_same_result(text: str) -> None:
    nfd = unicodedata.normalize("NFD", text)
    nfc = unicodedata.normalize("NFC", text)
    assert fold(nfd) == fold(nfc)
    assert clean(nfd) == clean(nfc)


def test_features_are_shared_by_accented_and_unaccented_spellings() -> None:
    accented = features(fold("Hài lòng nhưng phải chờ lâu"))
    plain = features(fold("hai long nhung phai cho lau"))
    assert accented == plain
    assert "w:cho" in plain and "b:cho lau" in plain and "c:<ch" in plain

"""BankID's recommended user messages: which RFA for each hintCode and error code, in Swedish and
English."""

import re

import pytest

from careplatform.bankid import errors
from careplatform.bankid.messages import RFA_MESSAGES, error_message, hint_message

# (status, hintCode, QR flow, phone) -> RFA, following BankID's table.
HINTS = [
    ("pending", "outstandingTransaction", False, False, "RFA13"),
    ("pending", "outstandingTransaction", True, False, "RFA1"),
    ("pending", None, False, False, "RFA13"),
    ("pending", None, True, False, "RFA1"),
    ("pending", "noClient", False, False, "RFA1"),
    ("pending", "noClient", True, False, "RFA1"),
    ("pending", "started", False, False, "RFA15A"),
    ("pending", "started", False, True, "RFA15B"),
    ("pending", "started", True, False, "RFA15B"),
    ("pending", "userSign", False, False, "RFA9"),
    ("pending", "userSign", True, False, "RFA9"),
    ("pending", "userMrtd", True, False, "RFA23"),
    ("pending", "userCallConfirm", False, False, "RFA21"),
    ("pending", "aHintBankIDAddsLater", True, False, "RFA21"),
    ("failed", "expiredTransaction", True, False, "RFA8"),
    ("failed", "certificateErr", True, False, "RFA16"),
    ("failed", "userCancel", True, False, "RFA6"),
    ("failed", "cancelled", True, False, "RFA3"),
    ("failed", "startFailed", True, False, "RFA17B"),
    ("failed", "startFailed", False, False, "RFA17A"),
    ("failed", "userDeclinedCall", False, False, "RFA6"),
    ("failed", "notSupportedByUserApp", False, False, "RFA22"),
    ("failed", "aHintBankIDAddsLater", True, False, "RFA22"),
    ("failed", None, True, False, "RFA22"),
]


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize(("status", "hint", "qr", "mobile", "rfa"), HINTS)
def test_every_hint_code_has_bankids_message(status, hint, qr, mobile, rfa, language):
    code, text = hint_message(status, hint, qr=qr, language=language, mobile=mobile)
    assert (code, text) == (rfa, RFA_MESSAGES[rfa][language])


def test_a_complete_order_has_no_message():
    assert hint_message("complete", None, qr=True, language="sv") == ("", "")


@pytest.mark.parametrize(
    ("error_code", "rfa"),
    [
        ("alreadyInProgress", "RFA4"),
        ("requestTimeout", "RFA5"),
        ("maintenance", "RFA5"),
        ("internalError", "RFA5"),
        ("tooManyRequests", "RFA5"),
        ("unavailable", "RFA5"),
        ("invalidResponse", "RFA5"),
        ("invalidParameters", "RFA22"),
        ("unauthorized", "RFA22"),
        ("notFound", "RFA22"),
        ("anErrorBankIDAddsLater", "RFA22"),
        (None, "RFA22"),
    ],
)
@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_error_code_has_bankids_message(error_code, rfa, language):
    assert error_message(error_code, language) == (rfa, RFA_MESSAGES[rfa][language])


@pytest.mark.parametrize(
    ("exception", "rfa"),
    [
        (errors.AlreadyInProgress(), "RFA4"),
        (errors.Maintenance(), "RFA5"),
        (errors.InternalError(), "RFA5"),
        (errors.RequestTimeout(), "RFA5"),
        (errors.TooManyRequests(), "RFA5"),
        (errors.BankIDUnavailable(), "RFA5"),
        (errors.InvalidResponse(), "RFA5"),
        (errors.InvalidParameters(), "RFA22"),
        (errors.Unauthorized(), "RFA22"),
        (errors.NotFound(), "RFA22"),
        (errors.UnknownBankIDError("brandNew"), "RFA22"),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else value,
)
def test_each_exception_gives_its_user_message(exception, rfa):
    assert isinstance(exception, errors.BankIDError)
    assert exception.rfa == rfa
    assert exception.user_message("sv") == RFA_MESSAGES[rfa]["sv"]
    assert exception.user_message("en") == RFA_MESSAGES[rfa]["en"]


def test_other_languages_fall_back_to_swedish():
    assert hint_message("failed", "userCancel", qr=True, language="de")[1] == "Åtgärden avbruten."
    assert errors.Maintenance().user_message("fi") == RFA_MESSAGES["RFA5"]["sv"]


def test_bankids_messages_rfa1_to_rfa23_are_all_there_in_both_languages():
    numbers = {int(re.match(r"RFA(\d+)", code)[1]) for code in RFA_MESSAGES}
    # BankID has no RFA7, RFA10, RFA11 or RFA12.
    assert numbers == set(range(1, 24)) - {7, 10, 11, 12}
    for code, texts in RFA_MESSAGES.items():
        assert set(texts) == {"sv", "en"}, code
        assert texts["sv"] and texts["en"] and texts["sv"] != texts["en"], code


def test_messages_are_bankids_words():
    assert RFA_MESSAGES["RFA1"]["sv"] == "Starta BankID-appen."
    assert RFA_MESSAGES["RFA9"]["sv"] == (
        "Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under."
    )
    assert RFA_MESSAGES["RFA13"]["en"] == "Trying to start your BankID app."
    assert RFA_MESSAGES["RFA21"]["sv"] == "Identifiering eller underskrift pågår."

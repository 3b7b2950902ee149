"""BankID's recommended user messages (RFA1–RFA23) in Swedish and English, and which one to show
for a collect status and hintCode or for an error code.

The texts follow BankID's published table; A/B variants exist where BankID has two (A: a
computer, B: a mobile device or a QR code). BankID adds hintCodes over time: an unknown pending
code shows RFA21, an unknown failed code RFA22.
"""

RFA_MESSAGES: dict[str, dict[str, str]] = {
    "RFA1": {"sv": "Starta BankID-appen.", "en": "Start your BankID app."},
    "RFA2": {
        "sv": "Du har inte BankID-appen installerad. Kontakta din bank.",
        "en": "The BankID app is not installed. Please contact your bank.",
    },
    "RFA3": {
        "sv": "Åtgärden avbruten. Försök igen.",
        "en": "Action cancelled. Please try again.",
    },
    "RFA4": {
        "sv": "En identifiering eller underskrift för det här personnumret är redan påbörjad. "
        "Försök igen.",
        "en": "An identification or signing for this personal number is already started. "
        "Please try again.",
    },
    "RFA5": {
        "sv": "Internt tekniskt fel. Försök igen.",
        "en": "Internal error. Please try again.",
    },
    "RFA6": {"sv": "Åtgärden avbruten.", "en": "Action cancelled."},
    "RFA8": {
        "sv": "BankID-appen svarar inte. Kontrollera att den är startad och att du har "
        "internetanslutning. Om du inte har något giltigt BankID kan du skaffa ett hos din bank. "
        "Försök sedan igen.",
        "en": "The BankID app is not responding. Please check that it’s started and that you "
        "have internet access. If you don’t have a valid BankID you can get one from your bank. "
        "Try again.",
    },
    "RFA9": {
        "sv": "Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under.",
        "en": "Enter your security code in the BankID app and select Identify or Sign.",
    },
    "RFA13": {"sv": "Försöker starta BankID-appen.", "en": "Trying to start your BankID app."},
    "RFA14A": {
        "sv": "Söker efter BankID, det kan ta en liten stund … Om det har gått några sekunder och "
        "inget BankID har hittats har du sannolikt inget BankID som går att använda för den "
        "aktuella identifieringen/underskriften i den här datorn. Om du har ett BankID-kort, sätt "
        "in det i kortläsaren. Om du inte har något BankID kan du skaffa ett hos din bank. Om du "
        "har ett BankID på en annan enhet kan du starta din BankID-app där.",
        "en": "Searching for BankID, it may take a little while … If a few seconds have passed "
        "and still no BankID has been found, you probably don’t have a BankID which can be used "
        "for this identification/signing on this computer. If you have a BankID card, please "
        "insert it into your card reader. If you don’t have a BankID you can get one from your "
        "bank. If you have a BankID on another device you can start the BankID app on that device.",
    },
    "RFA14B": {
        "sv": "Söker efter BankID, det kan ta en liten stund … Om det har gått några sekunder och "
        "inget BankID har hittats har du sannolikt inget BankID som går att använda för den "
        "aktuella identifieringen/underskriften i den här enheten. Om du inte har något BankID "
        "kan du skaffa ett hos din bank. Om du har ett BankID på en annan enhet kan du starta din "
        "BankID-app där.",
        "en": "Searching for BankID, it may take a little while … If a few seconds have passed "
        "and still no BankID has been found, you probably don’t have a BankID which can be used "
        "for this identification/signing on this device. If you don’t have a BankID you can get "
        "one from your bank. If you have a BankID on another device you can start the BankID app "
        "on that device.",
    },
    "RFA15A": {
        "sv": "Söker efter BankID, det kan ta en liten stund … Om det har gått några sekunder och "
        "inget BankID har hittats har du sannolikt inget BankID som går att använda för den "
        "aktuella identifieringen/underskriften i den här datorn. Om du har ett BankID-kort, sätt "
        "in det i kortläsaren. Om du inte har något BankID kan du skaffa ett hos din bank.",
        "en": "Searching for BankID, it may take a little while … If a few seconds have passed "
        "and still no BankID has been found, you probably don’t have a BankID which can be used "
        "for this identification/signing on this computer. If you have a BankID card, please "
        "insert it into your card reader. If you don’t have a BankID you can get one from your "
        "bank.",
    },
    "RFA15B": {
        "sv": "Söker efter BankID, det kan ta en liten stund … Om det har gått några sekunder och "
        "inget BankID har hittats har du sannolikt inget BankID som går att använda för den "
        "aktuella identifieringen/underskriften i den här enheten. Om du inte har något BankID "
        "kan du skaffa ett hos din bank.",
        "en": "Searching for BankID, it may take a little while … If a few seconds have passed "
        "and still no BankID has been found, you probably don’t have a BankID which can be used "
        "for this identification/signing on this device. If you don’t have a BankID you can get "
        "one from your bank.",
    },
    "RFA16": {
        "sv": "Det BankID du försöker använda är för gammalt eller spärrat. Använd ett annat "
        "BankID eller skaffa ett nytt hos din bank.",
        "en": "The BankID you are trying to use is blocked or too old. Please use another BankID "
        "or get a new one from your bank.",
    },
    "RFA17A": {
        "sv": "BankID-appen verkar inte finnas i din dator eller telefon. Installera den och "
        "skaffa ett BankID hos din bank. Installera appen från din appbutik eller "
        "https://install.bankid.com",
        "en": "The BankID app couldn’t be found on your computer or mobile device. Please install "
        "it and get a BankID from your bank. Install the app from your app store or "
        "https://install.bankid.com",
    },
    "RFA17B": {
        "sv": "Misslyckades att läsa av QR-koden. Starta BankID-appen och läs av QR-koden. "
        "Kontrollera att BankID-appen är uppdaterad. Om du inte har BankID-appen måste du "
        "installera den och skaffa ett BankID hos din bank. Installera appen från din appbutik "
        "eller https://install.bankid.com",
        "en": "Failed to scan the QR code. Start the BankID app and scan the QR code. Check that "
        "the BankID app is up to date. If you don't have the BankID app, you need to install it "
        "and get a BankID from your bank. Install the app from your app store or "
        "https://install.bankid.com",
    },
    "RFA18": {"sv": "Starta BankID-appen", "en": "Start the BankID app"},
    "RFA19": {
        "sv": "Vill du identifiera dig eller skriva under med BankID på den här datorn eller med "
        "ett Mobilt BankID?",
        "en": "Would you like to identify yourself or sign with a BankID on this computer, or "
        "with a Mobile BankID?",
    },
    "RFA20": {
        "sv": "Vill du identifiera dig eller skriva under med ett BankID på den här enheten eller "
        "med ett BankID på en annan enhet?",
        "en": "Would you like to identify yourself or sign with a BankID on this device, or with "
        "a BankID on another device?",
    },
    "RFA21": {
        "sv": "Identifiering eller underskrift pågår.",
        "en": "Identification or signing in progress.",
    },
    "RFA22": {"sv": "Okänt fel. Försök igen.", "en": "Unknown error. Please try again."},
    "RFA23": {
        "sv": "Fotografera och läs av din ID-handling med BankID-appen.",
        "en": "Process your machine readable travel document using the BankID app.",
    },
}

# Pending hintCodes whose message does not depend on the flow.
_PENDING = {
    "noClient": "RFA1",
    "userSign": "RFA9",
    "userMrtd": "RFA23",
    "userCallConfirm": "RFA21",  # phone orders: BankID publishes no message of its own
}
_FAILED = {
    "expiredTransaction": "RFA8",
    "certificateErr": "RFA16",
    "userCancel": "RFA6",
    "cancelled": "RFA3",
    # Phone orders and too old apps: BankID publishes no message of their own.
    "userDeclinedCall": "RFA6",
    "notSupportedByUserApp": "RFA22",
}
ERROR_RFA = {
    "alreadyInProgress": "RFA4",
    "requestTimeout": "RFA5",
    "maintenance": "RFA5",
    "internalError": "RFA5",
    "tooManyRequests": "RFA5",
    # Not BankID codes: our own for an unreachable service or a reply that is not BankID's.
    "unavailable": "RFA5",
    "invalidResponse": "RFA5",
}


def rfa_text(rfa: str, language: str) -> str:
    texts = RFA_MESSAGES.get(rfa, RFA_MESSAGES["RFA22"])
    return texts.get(language, texts["sv"])


def hint_rfa(status: str, hint_code: str | None, *, qr: bool, mobile: bool = False) -> str:
    """The RFA code for a collect status and hintCode; "" when the order is complete.

    qr: the user scans a QR code (another device); mobile: the page runs on a phone.
    """
    if status == "complete":
        return ""
    if status == "pending":
        if hint_code in (None, "outstandingTransaction"):
            return "RFA1" if qr else "RFA13"
        if hint_code == "started":
            # v6 always starts with a start token: RFA15 (RFA14 was for orders without one).
            return "RFA15B" if qr or mobile else "RFA15A"
        return _PENDING.get(hint_code, "RFA21")
    if hint_code == "startFailed":
        return "RFA17B" if qr else "RFA17A"
    return _FAILED.get(hint_code or "", "RFA22")


def hint_message(
    status: str, hint_code: str | None, *, qr: bool, language: str, mobile: bool = False
) -> tuple[str, str]:
    """(RFA code, text) to show for a collect result; ("", "") for a complete order."""
    rfa = hint_rfa(status, hint_code, qr=qr, mobile=mobile)
    return (rfa, rfa_text(rfa, language)) if rfa else ("", "")


def error_message(error_code: str | None, language: str) -> tuple[str, str]:
    """(RFA code, text) for an error code from BankID (or our unavailable/invalidResponse)."""
    rfa = ERROR_RFA.get(error_code or "", "RFA22")
    return rfa, rfa_text(rfa, language)

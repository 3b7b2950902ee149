"""BankID RP API v6.0: the client (client.py), its errors and BankID's recommended user messages,
the animated QR code, and a simulator speaking the same HTTP API for development and tests."""

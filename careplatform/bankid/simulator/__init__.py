"""A BankID simulator speaking the RP API v6.0 over HTTP, plus a simulated phone.

Served on the public host under /bankid-simulator/ when BANKID_SIMULATOR_ENABLED (the default
with DEBUG, never otherwise unless set explicitly). Point BANKID_URL at
`<public host>/bankid-simulator/rp/v6.0` and approve orders at `/bankid-simulator/app/`.
"""

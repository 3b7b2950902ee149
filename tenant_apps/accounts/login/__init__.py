"""BankID login and logout of accounts, on provider hosts and on the public host (operators and
support staff): the accounts app is in the public schema as well as in every provider's."""

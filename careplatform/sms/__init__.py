"""SMS: the gateway interface and its backends (`gateway`), segment counting, the public due
index and outbox (`models`), delivery-report URLs, and a fake 46elks for tests."""

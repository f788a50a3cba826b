from tests.order_tables import order_tables  # noqa: F401  (autouse: the data stack's tables, in moto)

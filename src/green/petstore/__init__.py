"""The pet-store service: catalog, orders and the HTTP error contract shared by every route."""

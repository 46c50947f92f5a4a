"""The register's staff pages: the ledger (stock, movements, counts, reports) and its setup."""

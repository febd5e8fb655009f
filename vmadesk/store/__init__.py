"""The encrypted local store: SQLCipher database, migrations, key slots, audit chain."""

"""The ground every layer stands on: what etl/, the read layer and the app share, importing none of them."""

"""The flask-authjs demo: a public page, a protected dashboard, three ways to sign in."""

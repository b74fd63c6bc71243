"""The home page per role and the app shell's navigation: composed from every app's selectors."""

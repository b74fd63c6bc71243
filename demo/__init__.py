"""The synthetic demo data (`manage.py seed_demo`). It sits above every app and imports them."""

from django.core.management.base import BaseCommand

from accounts.services import municipalities_load


class Command(BaseCommand):
    help = "Load the 290 Swedish municipalities and the seven police regions (safe to rerun)."

    def handle(self, *args: object, **options: object) -> None:
        created, updated = municipalities_load()
        self.stdout.write(f"Municipalities: {created} created, {updated} updated.")

from django.core.management.base import BaseCommand

from deadlines import services


class Command(BaseCommand):
    help = "Runs the deadline sweep once (beat runs it every minute) and sends due notifications."

    def handle(self, *args, **options):
        result = services.sweep()
        services.deliver_pending()
        self.stdout.write(str(result))

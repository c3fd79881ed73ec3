"""makemessages that also extracts `_g(...)`: the code imports `gettext as _g` where `_` is
already `gettext_lazy`."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_g"]

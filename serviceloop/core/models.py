"""Abstract models shared by the domain apps (no tables here)."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class BilingualName(models.Model):
    """A name kept in both working languages; `name` answers in the active one."""

    name_en = models.CharField(_("name (English)"), max_length=100)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        language = get_language() or "en"
        return (self.name_zh if language.startswith("zh") else self.name_en) or self.name_en

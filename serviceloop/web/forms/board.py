"""The supervisor board's form: one ticket to another member of its team."""

from django import forms

MAX_KEY = 2**63 - 1


class AssignForm(forms.Form):
    number = forms.CharField(max_length=32)
    assignee = forms.IntegerField(  # empty: back to the team queue
        required=False, min_value=1, max_value=MAX_KEY
    )
    version = forms.IntegerField(min_value=1, max_value=MAX_KEY)
    team = forms.CharField(max_length=50)

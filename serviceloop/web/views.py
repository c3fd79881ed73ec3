from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    """The front door: what serviceloop is and where to go (the workspace comes with the UI)."""
    return render(request, "web/home.html")

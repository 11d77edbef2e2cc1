from django.shortcuts import render


def dashboard(request):
    return render(request, "web/dashboard.html", {})


def not_found(request, exception=None):
    return render(request, "web/error.html", {"title": "Niet gevonden"}, status=404)


def forbidden(request, exception=None):
    return render(request, "web/error.html", {"title": "Geen toegang"}, status=403)


def server_error(request):
    return render(request, "web/error.html", {"title": "Er ging iets mis"}, status=500)

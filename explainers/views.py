from django.shortcuts import render


def home(request):
    return render(request, "explainers/home.html")
condition_index = condition_detail = explainer_detail = reviewer_detail = search_view = editorial_policy = home

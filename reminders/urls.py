from django.urls import path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("eskiz/<str:secret>/", views.eskiz_callback, name="eskiz_callback"),
]

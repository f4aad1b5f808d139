from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("landing/", views.landing_form, name="landing"),
    path("telegram/", views.telegram_webhook, name="telegram"),
    path("meta/", views.meta_webhook, name="meta"),
    path("whatsapp/", views.whatsapp_webhook, name="whatsapp"),
    path("calls/", views.calls_webhook, name="calls"),
]

from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="list"),
    path("case/<int:case_id>/new/", views.referral_new, name="new"),
    path("inbound/new/", views.inbound_new, name="inbound_new"),
    path("<int:referral_id>/transition/", views.referral_transition, name="transition"),
    path("<int:referral_id>/letter.pdf", views.referral_letter, name="letter"),
]

"""The chat app's routes (see views.py for what each does)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("sessions/", views.create_session, name="create_session"),
    path("sessions/<str:session_id>/", views.session_detail, name="session_detail"),
    path("sessions/<str:session_id>/messages/", views.messages, name="messages"),
    path("sessions/<str:session_id>/stream/", views.stream, name="stream"),
]

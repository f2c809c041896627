"""Root URLconf: the chat app owns everything."""

from django.urls import include, path

urlpatterns = [
    path("", include("eliza_chat.urls")),
]

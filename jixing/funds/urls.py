from __future__ import annotations

app_name = "funds"
urlpatterns: list = []

"""Catalog browser URLs (read-only). Node ids contain dots (``A.6.2.4``, ``GOVERN-1.1``): ``<str:...>``."""

from django.urls import path

from steward.catalog import views

app_name = "catalog"
urlpatterns = [
    path("", views.CatalogIndexView.as_view(), name="index"),
    path("crosswalks/<str:identifier>/", views.CrosswalkView.as_view(), name="crosswalk"),
    path("<str:identifier>/", views.FrameworkView.as_view(), name="framework"),
    path("<str:identifier>/export/<str:fmt>/", views.FrameworkExportView.as_view(), name="export"),
    path("<str:identifier>/<str:node_id>/", views.NodeView.as_view(), name="node"),
]

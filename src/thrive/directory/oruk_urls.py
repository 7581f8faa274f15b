"""The Open Referral UK API, mounted at /openreferral/ (public: no sign-in, no keys)."""

from django.urls import path

from . import api

app_name = "oruk"
urlpatterns = [
    path("", api.index, name="index"),
    path("services", api.services, name="services"),
    path("services/<str:service_id>", api.service_detail, name="service"),
    path("service_at_locations", api.service_at_locations, name="service-at-locations"),
    path("service_at_locations/<str:sal_id>", api.service_at_location_detail,
         name="service-at-location"),
    path("organizations", api.organizations, name="organizations"),
    path("organizations/<str:organization_id>", api.organization_detail, name="organization"),
    path("taxonomies", api.taxonomies, name="taxonomies"),
    path("taxonomies/<str:taxonomy_id>", api.taxonomy_detail, name="taxonomy"),
    path("taxonomy_terms", api.taxonomy_terms, name="taxonomy-terms"),
    path("taxonomy_terms/<str:term_id>", api.taxonomy_term_detail, name="taxonomy-term"),
]

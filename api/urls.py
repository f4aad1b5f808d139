"""/api/v1/: one router for every resource, the nested lead routes, the schema and the docs."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from api import analytics, imports, intake, leads, reminders, scheduling, staff, trials
from api.views import CurrentTokenView, DocsView, MeView, RedocView


class Router(DefaultRouter):
    """Ids in paths are digits: anything else is the JSON 404 of no route."""

    include_root_view = False

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if getattr(viewset, "lookup_value_regex", None) is None:
            viewset.lookup_value_regex = "[0-9]{1,19}"
        return super().get_lookup_regex(viewset, lookup_prefix)


router = Router()
router.register("leads", leads.LeadViewSet, basename="lead")
router.register("salespeople", staff.SalespersonViewSet, basename="salesperson")
router.register("follow-ups", reminders.FollowUpViewSet, basename="followup")
router.register("deliveries", reminders.DeliveryViewSet, basename="delivery")
router.register("trials", trials.TrialViewSet, basename="trial")
router.register("courses", scheduling.CourseViewSet, basename="course")
router.register("rooms", scheduling.RoomViewSet, basename="room")
router.register("groups", scheduling.GroupViewSet, basename="group")
router.register("enrollments", scheduling.EnrollmentViewSet, basename="enrollment")
router.register("room-occupancy", scheduling.RoomOccupancyViewSet, basename="roomoccupancy")
router.register("analytics/sales-kpis", analytics.SalesKPIViewSet, basename="saleskpi")
router.register("analytics/lead-metrics", analytics.LeadMetricsViewSet, basename="leadmetrics")
router.register("analytics/group-analytics", analytics.GroupAnalyticsViewSet, basename="groupanalytics")
router.register("analytics/marketing", analytics.MarketingAnalyticsViewSet, basename="marketinganalytics")
router.register("analytics/room-usage", analytics.RoomDayUsageViewSet, basename="roomdayusage")
router.register("marketing-spend", analytics.MarketingSpendViewSet, basename="marketingspend")
router.register("imports", imports.ImportViewSet, basename="import")
router.register("intake-events", intake.IntakeEventViewSet, basename="intakeevent")

app_name = "api"

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("me/token/", CurrentTokenView.as_view(), name="me-token"),
    path(
        "leads/<int:lead_pk>/history/",
        leads.LeadHistoryViewSet.as_view({"get": "list"}),
        name="lead-history",
    ),
    path(
        "leads/<int:lead_pk>/inquiries/",
        leads.LeadInquiryViewSet.as_view({"get": "list"}),
        name="lead-inquiries",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    # Redoc styles itself with <style> elements (styled-components) and parses the
    # schema in a blob: worker; Swagger UI needs nothing beyond the site policy.
    path(
        "redoc/",
        csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["'self'", "blob:"]})(
            RedocView.as_view(url_name="api:schema")
        ),
        name="redoc",
    ),
    path("", include(router.urls)),
]

from typing import Any

from rest_framework import serializers, viewsets

from steward.core.api import request_organisation
from steward.core.roles import Action
from steward.jobs.models import Job


class JobSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(source="requested_by_label", read_only=True)

    class Meta:
        model = Job
        fields = [
            "uid",
            "task",
            "arguments",
            "status",
            "progress",
            "total",
            "percent",
            "result",
            "error",
            "requested_by",
            "created",
            "started",
            "finished",
        ]


class JobViewSet(viewsets.ReadOnlyModelViewSet):
    """Background jobs of the organisation and their progress."""

    queryset = Job.objects.all()
    serializer_class = JobSerializer
    lookup_field = "uid"
    filterset_fields = ["status", "task"]
    ordering_fields = ["created"]

    def get_queryset(self) -> Any:
        return Job.objects.restrict(self.request.user, Action.VIEW, request_organisation(self.request))

"""Provisioning from the browser (/konsol/ny/): the form, then the job's progress page, which
a small script (public_site/provisioning.js) keeps up to date from the job's JSON."""

import uuid

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from careplatform.access import role_required
from careplatform.netutils import client_ip
from public_site.console.provision_forms import ProvisionForm
from tenant_apps.accounts import staff_sessions
from tenants.models import ProvisioningJob, ProvisioningStatus
from tenants.provisioning import ProvisioningError, provider_url
from tenants.provisioning_jobs import start_provisioning, step_states


# The provider's console page (/konsol/vardgivare/<subdomain>/).
@role_required("operator")
@require_http_methods(["GET", "POST"])
def provision(request: HttpRequest) -> HttpResponse:
    form = ProvisionForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            job = start_provisioning(
                form.provision_request(),
                token=form.cleaned_data["token"],
                actor=request.user,  # type: ignore[arg-type]
                ip_address=client_ip(request),
            )
        except ProvisioningError as exc:
            form.add_refusals(exc.errors)
        else:
            return redirect("console-provision-job", job=job.public_id)
    return render(request, "public_site/console/provision.html", {"form": form})


@role_required("operator")
@require_GET
def job_page(request: HttpRequest, job: uuid.UUID) -> HttpResponse:
    found = get_object_or_404(ProvisioningJob.objects.select_related("provider"), public_id=job)
    return render(request, "public_site/console/provision_job.html", _progress(found))


@staff_sessions.background_poll  # the page asks by itself: not the operator's activity
@role_required("operator")
@require_GET
def job_status(request: HttpRequest, job: uuid.UUID) -> JsonResponse:
    found = get_object_or_404(ProvisioningJob.objects.select_related("provider"), public_id=job)
    progress = _progress(found)
    return JsonResponse(
        {
            "status": found.status,
            "finished": found.finished,
            "steps": [
                {
                    "step": s.step.value,
                    "label": s.label,
                    "state": s.state,
                    "state_label": s.state_label,
                }
                for s in progress["steps"]
            ],
            "message": found.message,
            "provider_url": progress["provider_url"],
            "console_url": progress["console_url"],
        },
        headers={"Cache-Control": "no-store"},
    )


def _progress(job: ProvisioningJob) -> dict:
    done = job.status == ProvisioningStatus.DONE and job.provider is not None
    return {
        "job": job,
        "steps": step_states(job),
        "provider_url": provider_url(job.provider) if done and job.provider else "",
        "console_url": (
            reverse("console-provider", kwargs={"subdomain": job.subdomain}) if done else ""
        ),
        "status_url": reverse("console-provision-job-status", kwargs={"job": job.public_id}),
    }

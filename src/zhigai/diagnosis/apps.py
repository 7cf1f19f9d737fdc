from django.apps import AppConfig


class DiagnosisConfig(AppConfig):
    name = "zhigai.diagnosis"
    label = "diagnosis"
    verbose_name = "Diagnosis"

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy as _

        from zhigai.base.sections import enterprise_section_register
        from zhigai.core.cache import cache_areas_register
        from zhigai.core.errors import error_codes_register
        from zhigai.core.nav import nav_item_register, platform_part_register
        from zhigai.core.policy import permitted

        from . import policy  # noqa: F401  (registers the diagnosis policy and the assignment grant)
        from .errors import DiagnosisError
        from .models import Assessment, AssessmentEvent, Assignment, Evidence, MaturityModel
        from .views import enterprise_progress_section
        from .views_home import enterprise_home_section

        cache_areas_register(MaturityModel, "reference")
        cache_areas_register(Assessment, "assessments")
        cache_areas_register(Assignment, "access")  # who sees which enterprise
        cache_areas_register(Evidence)  # read afresh with its assessment
        cache_areas_register(AssessmentEvent)  # an assessment's history, read afresh
        platform_part_register("diagnosis", _("诊断：智能制造能力成熟度自评与专家诊断，差距与改造建议，诊断报告"),
                               order=20)
        nav_item_register(_("诊断"), "diagnosis:overview", order=20)
        nav_item_register(_("待办"), "diagnosis:queue", order=25,
                          visible=lambda user: permitted(user, "diagnosis.assignment.list_own"))
        error_codes_register("diagnosis", DiagnosisError)
        # The enterprise page shows its diagnoses over time.
        enterprise_section_register(enterprise_progress_section)
        # … and an enterprise user's home, its next step.
        enterprise_section_register(enterprise_home_section, place="home")

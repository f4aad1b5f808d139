"""One module per channel; see intake/channels/base.py for what each provides."""

from intake.channels import calls, landing, meta, telegram, whatsapp
from intake.models import IntakeChannel

HANDLERS = {
    IntakeChannel.LANDING: landing,
    IntakeChannel.TELEGRAM: telegram,
    IntakeChannel.META: meta,
    IntakeChannel.WHATSAPP: whatsapp,
    IntakeChannel.CALLS: calls,
}


def module_for(channel: str):
    return HANDLERS[IntakeChannel(channel)]

"""Contains all the data models used in inputs/outputs"""

from .clone_voice_body import CloneVoiceBody
from .clone_voice_x_actor_type import CloneVoiceXActorType
from .voice import Voice

__all__ = (
    "CloneVoiceBody",
    "CloneVoiceXActorType",
    "Voice",
)

from enum import StrEnum


class CloneVoiceXActorType(StrEnum):
    END_USER = "end_user"
    PLATFORM_ADMIN = "platform_admin"
    PROVIDER_ADMIN = "provider_admin"
    TENANT_ADMIN = "tenant_admin"

    def __str__(self) -> str:
        return str(self.value)

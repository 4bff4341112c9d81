from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "hmskort.registers"
    label = "registers"

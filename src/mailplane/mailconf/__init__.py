"""Dovecot and Postfix configuration that reads mailplane's database through SQL lookups."""

from mailplane.mailconf.render import MailOptions, render, write

__all__ = ["MailOptions", "render", "write"]

"""Who may open CS Lens after signing in: an optional allow-list of e-mail domains and addresses.

The provider authenticates; this decides. With no list every signed-in user is admitted (the
provider's own assignment rules apply, ``deploy/LOGIN.md``). With a list, a user is admitted only
with an e-mail claim that is in it (an address, or an address at one of the domains), and never
when the provider says the address is not verified (``email_verified`` false).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from cs_models.errors import DataError


@dataclass(frozen=True)
class AccessPolicy:
    """An allow-list of e-mail domains and addresses (both lower case); empty admits everyone.

    Parameters
    ----------
    domains : tuple of str
        Domains whose addresses are admitted exactly (``example.co.jp`` admits
        ``a@example.co.jp``, not ``a@sub.example.co.jp``).
    emails : tuple of str
        Single addresses admitted.
    """

    domains: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, table: Mapping[str, Any] | None) -> AccessPolicy:
        """The policy of the ``[access]`` table of ``secrets.toml`` (``email_domains``, ``emails``).

        Parameters
        ----------
        table : mapping or None
            The table; ``None`` when there is none (everyone is admitted).

        Returns
        -------
        AccessPolicy
            The normalised policy.

        Raises
        ------
        DataError
            ``access_bad_config`` when a key is unknown or a value is not a list of texts (the
            caller must then admit nobody: a list that cannot be read never opens the app).
        """
        if table is None:
            return cls()
        unknown = sorted(set(table) - {"email_domains", "emails"})
        if unknown:
            raise DataError("access_bad_config", f"[access] has unknown keys: {', '.join(unknown)}",
                            setting=", ".join(unknown))
        values = {}
        for key in ("email_domains", "emails"):
            items = table.get(key, [])
            if isinstance(items, str) or not all(isinstance(item, str) and item.strip() for item in items):
                raise DataError("access_bad_config", f"[access] {key} must be a list of texts", setting=key)
            values[key] = tuple(sorted({item.strip().lower().lstrip("@") for item in items}))
        return cls(domains=values["email_domains"], emails=values["emails"])

    @property
    def restricted(self) -> bool:
        """Whether a list is set (``False``: every signed-in user is admitted)."""
        return bool(self.domains or self.emails)

    def admits(self, claims: Mapping[str, Any]) -> bool:
        """Whether the signed-in user with these ID-token claims may open the app.

        Parameters
        ----------
        claims : mapping
            The user's claims (``st.user``): ``email`` and, when the provider sends it, ``email_verified``.

        Returns
        -------
        bool
            ``True`` when no list is set, or the verified e-mail address is listed or at a listed domain.
        """
        if not self.restricted:
            return True
        if claims.get("email_verified") in (False, "false", "False"):
            return False
        email = claims.get("email")
        if not isinstance(email, str) or email.count("@") != 1:
            return False
        email = email.strip().lower()
        return email in self.emails or email.rsplit("@", 1)[1] in self.domains

    def to_dict(self) -> dict[str, Any]:
        """The policy as plain data (lists of texts).

        Returns
        -------
        dict
            ``{"domains": [...], "emails": [...]}``.
        """
        return {key: list(value) for key, value in asdict(self).items()}

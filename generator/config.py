"""The site's settings as `mkdocs.yml` holds them, for the commands that run without MkDocs
(`labpubs generate`, `add`, `enrich`, `sync`): the same file drives the plugin, the CLI and Zensical."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .views import Options


class _Tolerant(yaml.SafeLoader):
    """YAML that reads MkDocs' and Material's tags (`!ENV`, `!!python/name:...`) as plain values."""


_Tolerant.add_multi_constructor("", lambda loader, suffix, node: None)
_Tolerant.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


@dataclass
class SiteConfig:
    site_name: str = "Publications"
    site_url: str | None = None
    use_directory_urls: bool = True
    docs_dir: str = "docs"
    language: str = "en"
    plugin: dict = field(default_factory=dict)  # the labpubs plugin's options

    def options(self, **override) -> Options:
        """Render options, as the plugin makes them from the same settings."""
        plugin = self.plugin
        values = {
            "use_directory_urls": self.use_directory_urls,
            "site_url": self.site_url or None,
            "site_name": self.site_name,
            "language": self.language,
            "bibtex_unicode": bool(plugin.get("bibtex_unicode", Options.bibtex_unicode)),
            "page_size": max(1, int(plugin.get("page_size", Options.page_size))),
            "authors_shown": max(1, int(plugin.get("authors_shown", Options.authors_shown))),
            "citation_styles": tuple(plugin.get("citation_styles", Options.citation_styles)),
        }
        return Options(**{**values, **override})


def read_config(path: str | Path = "mkdocs.yml") -> SiteConfig:
    """The settings of `mkdocs.yml` (defaults when there is no such file)."""
    path = Path(path)
    if not path.exists():
        return SiteConfig()
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Tolerant) or {}
    plugin = {}
    for entry in data.get("plugins") or []:
        if isinstance(entry, dict) and "labpubs" in entry:
            plugin = entry["labpubs"] or {}
    theme = data.get("theme") or {}
    return SiteConfig(
        site_name=data.get("site_name") or SiteConfig.site_name,
        # as MkDocs does: a site under a path (`https://x.org/lab`) keeps it in every absolute URL
        site_url=(data["site_url"].rstrip("/") + "/") if data.get("site_url") else None,
        use_directory_urls=data.get("use_directory_urls", True),
        docs_dir=data.get("docs_dir", "docs"),
        language=(theme.get("language") if isinstance(theme, dict) else None) or "en",
        plugin=plugin,
    )

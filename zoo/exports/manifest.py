"""The sha256 manifest of an export and its verification: ``zoo.registry.manifest``, under the
name the writer, the reader and the release tools import."""
from zoo.registry.manifest import RETRIES, check_coverage, folder_identity, manifest, verify

__all__ = ["RETRIES", "check_coverage", "folder_identity", "manifest", "verify"]

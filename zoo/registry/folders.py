"""An export folder replaced whole: a lock per name, a staging folder, one atomic exchange.

A new version of ``<root>/<name>`` is assembled in ``<root>/.<name>.XXXXXXXX.partial``, its
files flushed to disk, then exchanged with the current folder by one ``renameat2(...,
RENAME_EXCHANGE)`` (Linux 3.15+, glibc 2.28+): at every instant ``<root>/<name>`` is the old
export or the new one, complete, whatever is killed when.  The old version, now at the
staging path, is deleted afterwards; a crash before that leaves a dot-folder that discovery
skips and the next writer of the name removes.

Where the exchange is not available (another OS, a file system without it) the folder is
swapped by two renames through ``.<name>.old``.  A crash between them leaves the name empty
and ``.<name>.old`` complete: the next writer of the name first renames it back (it is never
deleted while it is the only copy).

Writers of one name are serialised by ``flock`` on ``<root>/.<name>.lock``.  A reader takes no
lock; if the files it hashes stop matching the card it read, it waits for the writer's lock
(shared) and reads again (``wait_for_writer``), so a load during a re-export gets the old or
the new export, never a false "tampered".
"""
from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import tempfile
from pathlib import Path

from zoo.registry.cards import CARD_FILE

try:
    import fcntl
except ImportError:  # Windows: no flock; writers of one name must then not run at once
    fcntl = None

AT_FDCWD = -100
RENAME_EXCHANGE = 2


def _renameat2():
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_RENAMEAT2 = _renameat2()


def exchange(a: Path, b: Path) -> bool:
    """Swap the folders ``a`` and ``b`` in one atomic step; False where the system cannot."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False  # the kernel or the file system has no RENAME_EXCHANGE
    raise OSError(code, os.strerror(code), os.fspath(a), None, os.fspath(b))


def lock_path(root: Path, name: str) -> Path:
    return root / f".{name}.lock"


def old_path(final: Path) -> Path:
    return final.with_name(f".{final.name}.old")


@contextlib.contextmanager
def locked(root: Path, name: str):
    """An exclusive ``flock`` on ``<root>/.<name>.lock`` for the whole write of one name."""
    with open(lock_path(root, name), "a") as handle:
        if fcntl is None:
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def wait_for_writer(folder: Path) -> None:
    """Block until no writer holds the lock of the export ``folder`` (returns at once if none does)."""
    if fcntl is None:
        return
    try:
        fd = os.open(lock_path(folder.parent, folder.name), os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
    finally:
        os.close(fd)


def is_real_folder(path: Path) -> bool:
    """A directory that is not a symbolic link."""
    return path.is_dir() and not path.is_symlink()


def check_target(final: Path) -> None:
    """``final`` must be absent or an export folder: anything else is the user's and stays."""
    if final.is_symlink() or (final.exists() and not final.is_dir()):
        kind = "a symbolic link" if final.is_symlink() else "a file"
        raise FileExistsError(f"cannot write the export {final.name!r}: {final} is {kind}, not an export folder. "
                              f"Nothing was changed; move it away or choose another out_dir. Received: {final}")


def recover(final: Path) -> None:
    """Put back ``.<name>.old`` when a crash between the two renames of the fallback swap left
    the name empty; the old copy is the only complete one then."""
    old = old_path(final)
    if not os.path.lexists(final) and is_real_folder(old) and (old / CARD_FILE).is_file():
        with contextlib.suppress(FileNotFoundError, FileExistsError, OSError):
            os.rename(old, final)


def remove_leftovers(root: Path, name: str) -> None:
    """Staging folders of ``name`` that a crashed write left (the caller holds the lock)."""
    final = root / name
    recover(final)
    for leftover in [*root.glob(f".{name}.*.partial"), old_path(final)]:
        if is_real_folder(leftover):  # a file or link under such a name is not ours: left alone
            shutil.rmtree(leftover, ignore_errors=True)


def staging_folder(root: Path, name: str) -> Path:
    return Path(tempfile.mkdtemp(prefix=f".{name}.", suffix=".partial", dir=root))


def open_permissions(folder: Path) -> None:
    """``mkdtemp`` makes 0700; give the export 0755 folders / 0644 files (under the usual umask 022)."""
    umask = os.umask(0)
    os.umask(umask)
    for path in [folder, *folder.rglob("*")]:
        os.chmod(path, (0o777 if path.is_dir() else 0o666) & ~umask)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def flush(folder: Path) -> None:
    """fsync every file and folder, so a power cut after the swap cannot leave empty files."""
    for path in sorted(folder.rglob("*"), reverse=True):
        _fsync(path)
    _fsync(folder)


def swap_into_place(staging: Path, final: Path) -> None:
    """Make the complete folder ``staging`` the folder ``final`` (see the module docstring)."""
    flush(staging)
    if not os.path.lexists(final):
        os.rename(staging, final)
    elif exchange(staging, final):
        shutil.rmtree(staging, ignore_errors=True)  # the old version
    else:
        old = old_path(final)
        os.rename(final, old)
        os.rename(staging, final)
        shutil.rmtree(old, ignore_errors=True)
    _fsync(final.parent)

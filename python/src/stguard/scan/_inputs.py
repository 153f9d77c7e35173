"""What a scan reads: paths, directories (walked for *.safetensors),
http(s) URLs, and text files listing any of those ("@list.txt" or a
*.txt / *.lst file), expanded into ScanItems with the identity a restart
compares (size and modification time; for URLs the ETag once known).

Listed by name only (stat_files=False), a file's size and modification
time are left to the worker that audits it: a header-only scan on Dask
stats each file there, not in the driver, whose CPU per file bounds how
far workers scale."""
from __future__ import annotations

import os
from typing import Iterable, Iterator, List, NamedTuple, Optional, Set

_LIST_SUFFIXES = (".txt", ".lst")
_URL_PREFIXES = ("http://", "https://")


class ScanItem(NamedTuple):
    """One file or URL to scan (a named tuple: a listing makes millions)."""

    path: str  # a file path as given (or found in a directory), or a URL
    is_url: bool = False
    size: Optional[int] = None  # None for URLs until fetched, and for files listed by name only
    mtime_ns: Optional[int] = None
    error: Optional[str] = None  # the path could not be stat'ed (reported as a record)

    @property
    def key(self) -> tuple:
        return (self.path, self.size, self.mtime_ns)


def is_url(text: str) -> bool:
    return text.startswith(_URL_PREFIXES)


def _list_entries(list_path: str) -> Iterator[str]:
    with open(list_path, encoding="utf-8", errors="surrogateescape") as listing:
        for line in listing:
            entry = line.strip()
            if entry and not entry.startswith("#"):
                yield entry


def _walk(directory: str) -> Iterator[ScanItem]:
    """Every *.safetensors below `directory`, stat'ed. Sorted, so that the
    same tree is always scanned in the same order; each file stat'ed by its
    name in its open folder (fwalk), which spares the kernel looking the
    whole path up again: the listing is most of the driver's work per file."""
    for root, folders, files, root_fd in os.fwalk(directory):
        folders.sort()
        prefix = os.path.join(root, "")
        for name in sorted(files):
            if name.endswith(".safetensors"):
                yield _stat_item(prefix + name, name, root_fd)


def _walk_names(directory: str) -> Iterator[str]:
    """The paths _walk gives, in the same order, without a stat per file:
    the folder entries' types (d_type) tell folders from files. Folders
    reached through a symbolic link are not entered, as fwalk does not."""
    pending = [directory]
    while pending:
        root = pending.pop()
        try:
            with os.scandir(root) as listing:
                entries = list(listing)
        except OSError:
            continue  # as fwalk: a folder that cannot be listed is passed over
        prefix = os.path.join(root, "")
        files: List[str] = []
        folders: List[str] = []
        for entry in entries:
            if entry.is_dir():
                if not entry.is_symlink():
                    folders.append(entry.name)
            elif entry.name.endswith(".safetensors"):
                files.append(entry.name)
        files.sort()
        for name in files:
            yield prefix + name
        folders.sort(reverse=True)  # popped last first: visited in sorted order
        pending.extend(prefix + name for name in folders)


def stat_failure_message(failure: OSError) -> str:
    """Why a file could not be stat'ed, as its IO_ERROR record says."""
    return f"{type(failure).__name__}: {failure.strerror or failure}"


def _stat_item(path: str, name: Optional[str] = None, dir_fd: Optional[int] = None) -> ScanItem:
    """`path`'s ScanItem; stat'ed as `name` in the folder `dir_fd` when given."""
    try:
        status = os.stat(path) if dir_fd is None else os.stat(name, dir_fd=dir_fd)
    except OSError as failure:
        return ScanItem(path, error=stat_failure_message(failure))
    return ScanItem(path, size=status.st_size, mtime_ns=status.st_mtime_ns)


def stat_item(item: ScanItem) -> ScanItem:
    """A file listed by name only, stat'ed now (the driver needs its identity)."""
    return _stat_item(item.path) if not item.is_url and item.size is None and item.error is None else item


def expand_inputs(inputs: Iterable[str], stat_files: bool = True) -> List[ScanItem]:
    """Every input as ScanItems, each path once, in the order given (a
    directory's files sorted). A list file's entries are inputs too (one
    level: a list naming a list is read as a list again, guarded against cycles).
    ``stat_files`` False: files are listed by name only (size and mtime_ns
    None), for the worker that audits them to stat."""
    items: List[ScanItem] = []
    seen: Set[str] = set()
    read_lists: Set[str] = set()

    def add(entry: str) -> None:
        if entry not in seen:
            seen.add(entry)
            if is_url(entry):
                items.append(ScanItem(entry, is_url=True))
            else:
                items.append(_stat_item(entry) if stat_files else ScanItem(entry))

    def visit(entry: str) -> None:
        entry = os.fspath(entry)
        if is_url(entry):
            add(entry)
        elif entry.startswith("@") or (entry.endswith(_LIST_SUFFIXES) and os.path.isfile(entry)):
            list_path = os.path.realpath(entry[1:] if entry.startswith("@") else entry)
            if list_path in read_lists:
                return
            read_lists.add(list_path)
            for listed in _list_entries(list_path):
                visit(listed)
        elif os.path.isdir(entry):
            if stat_files:
                for found in _walk(entry):
                    if found.path not in seen:
                        seen.add(found.path)
                        items.append(found)
            else:
                # List operations over the whole folder: this is the driver's
                # work per file (a folder's paths are distinct already).
                found = [path for path in _walk_names(entry) if path not in seen]
                seen.update(found)
                items.extend(map(ScanItem, found))
        else:
            add(entry)

    for entry in inputs:
        visit(entry)
    return items

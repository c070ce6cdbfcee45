#!/usr/bin/env bash
# Installs or uninstalls moneykit-native; driven by packaging/install.mk, which
# passes everything through the environment:
#   DESTDIR PREFIX LIBDIR INCLUDEDIR BINDIR PKGCONFIGDIR CMAKEDIR   (where)
#   MK_LIB_SO MK_LIB_A MK_SANDBOX MK_HEADER MK_CPP_HEADER           (what; MK_CPP_HEADER's
#                                                                    per-topic headers are in the
#                                                                    directory of the same name)
#   MK_CLI                                                           (the `moneykit` command-line
#                                                                    tool; default: beside MK_SANDBOX)
#   MK_VERSION MK_LIBS_PRIVATE STRIP                                 (how)
#
# install: copies the files (debug info stripped from the .so, .a, sandbox and CLI)
# and records every file, link and directory it created in a manifest next to
# the CMake files. uninstall: removes exactly what the manifest lists (files,
# then the directories the install created, if they are empty again); without
# a manifest it removes the fixed list of files an install of this version makes.
set -euo pipefail

mode=${1:?usage: install.sh install|uninstall}
: "${PREFIX:?}" "${LIBDIR:?}" "${INCLUDEDIR:?}" "${BINDIR:?}" "${PKGCONFIGDIR:?}" "${CMAKEDIR:?}" "${MK_VERSION:?}"
DESTDIR=${DESTDIR:-}
STRIP=${STRIP:-strip}
here=$(cd "$(dirname "$0")" && pwd)
MK_CLI=${MK_CLI:-$(dirname "${MK_SANDBOX:-.}")/moneykit}

for d in "$PREFIX" "$LIBDIR" "$INCLUDEDIR" "$BINDIR" "$PKGCONFIGDIR" "$CMAKEDIR"; do
  case $d in /*) ;; *) echo "install.sh: $d: install directories must be absolute paths" >&2; exit 1 ;; esac
done

major=${MK_VERSION%%.*}
manifest="$CMAKEDIR/moneykit-install-manifest.txt"

# The soname the library was linked with (build.rs sets it); else the ABI major version.
soname=
if [ -n "${MK_LIB_SO:-}" ] && [ -f "$MK_LIB_SO" ]; then
  soname=$(objdump -p "$MK_LIB_SO" 2>/dev/null | awk '$1 == "SONAME" {print $2}')
fi
soname=${soname:-libmoneykit.so.$major}
real="libmoneykit.so.$MK_VERSION"

# Every path an install of this version creates (final paths, without DESTDIR).
installed_paths() {
  printf '%s\n' "$LIBDIR/$real" "$LIBDIR/$soname" "$LIBDIR/libmoneykit.so" "$LIBDIR/libmoneykit.a" \
    "$INCLUDEDIR/moneykit.h" "$INCLUDEDIR/moneykit.hpp" "$PKGCONFIGDIR/moneykit.pc" \
    "$CMAKEDIR/moneykit-config.cmake" "$CMAKEDIR/moneykit-config-version.cmake" \
    "$BINDIR/moneykit-sandbox" "$BINDIR/moneykit" "$manifest"
  local h
  for h in "$DESTDIR$INCLUDEDIR"/moneykit/*.hpp; do
    [ -e "$h" ] && printf '%s\n' "${h#"$DESTDIR"}"
  done
  return 0
}

# Relative path from directory $1 to path $2 (both absolute).
relpath() { realpath -m --relative-to="$1" "$2"; }

do_install() {
  local f
  for f in "$MK_LIB_SO" "$MK_LIB_A" "$MK_SANDBOX" "$MK_CLI" "$MK_HEADER" "$MK_CPP_HEADER"; do
    [ -f "$f" ] || { echo "install: $f is missing (run: make build)" >&2; exit 1; }
  done
  # moneykit.hpp is an umbrella over the per-topic headers in moneykit/ beside it.
  local cpp_dir=${MK_CPP_HEADER%.hpp}
  [ -f "$cpp_dir/model.hpp" ] || { echo "install: $cpp_dir/*.hpp are missing" >&2; exit 1; }
  [ "$soname" != "$real" ] && [ "$soname" != libmoneykit.so ] || {
    echo "install: unexpected soname $soname" >&2; exit 1; }

  local -a created_dirs=() entries=()
  # Directories this install creates, outermost first, so uninstall can remove them again.
  make_dir() {
    local dir=$1 missing=() d
    d=$dir
    # (Stops at /: with a DESTDIR that does not exist yet, "$DESTDIR/" is missing too.)
    while [ "$d" != / ] && [ ! -d "$DESTDIR$d" ]; do missing=("$d" "${missing[@]}"); d=$(dirname "$d"); done
    mkdir -p "$DESTDIR$dir"
    [ ${#missing[@]} -eq 0 ] || created_dirs+=("${missing[@]}")
  }
  for f in "$LIBDIR" "$INCLUDEDIR" "$INCLUDEDIR/moneykit" "$BINDIR" "$PKGCONFIGDIR" "$CMAKEDIR"; do make_dir "$f"; done

  # Write to a temporary name, then rename: a running program keeps its old copy intact.
  put() {  # put SRC DEST MODE [strip]
    local tmp="$DESTDIR$2.tmp.$$"
    if [ "${4:-}" = strip ]; then "$STRIP" --strip-debug -o "$tmp" "$1"; else cp "$1" "$tmp"; fi
    chmod "$3" "$tmp"
    mv -f "$tmp" "$DESTDIR$2"
    entries+=("f $2")
    echo "  installed $2"
  }
  link() {  # link TARGET NAME
    ln -sfn "$1" "$DESTDIR$2"
    entries+=("l $2")
    echo "  installed $2 -> $1"
  }
  subst() {  # subst TEMPLATE DEST
    local tmp="$DESTDIR$2.tmp.$$"
    sed -e "s|@PREFIX@|$PREFIX|g" -e "s|@LIBDIR@|$pc_libdir|g" -e "s|@INCLUDEDIR@|$pc_includedir|g" \
        -e "s|@VERSION@|$MK_VERSION|g" -e "s|@VERSION_MAJOR@|$major|g" \
        -e "s|@VERSION_MAJOR_MINOR@|${MK_VERSION%.*}|g" -e "s|@SONAME@|$soname|g" \
        -e "s|@LIBS_PRIVATE@|$MK_LIBS_PRIVATE|g" -e "s|@LIBS_PRIVATE_CMAKE@|${MK_LIBS_PRIVATE// /;}|g" \
        -e "s|@REL_LIBDIR@|$(relpath "$CMAKEDIR" "$LIBDIR")|g" \
        -e "s|@REL_INCLUDEDIR@|$(relpath "$CMAKEDIR" "$INCLUDEDIR")|g" "$1" > "$tmp"
    chmod 0644 "$tmp"
    mv -f "$tmp" "$DESTDIR$2"
    entries+=("f $2")
    echo "  installed $2"
  }
  # pkg-config paths relative to ${prefix} where possible (pkg-config --define-prefix works then).
  local pc_libdir=$LIBDIR pc_includedir=$INCLUDEDIR
  case $LIBDIR in "$PREFIX"/*) pc_libdir='${prefix}'${LIBDIR#"$PREFIX"} ;; esac
  case $INCLUDEDIR in "$PREFIX"/*) pc_includedir='${prefix}'${INCLUDEDIR#"$PREFIX"} ;; esac

  put "$MK_LIB_SO" "$LIBDIR/$real" 0755 strip
  link "$real" "$LIBDIR/$soname"
  link "$soname" "$LIBDIR/libmoneykit.so"
  put "$MK_LIB_A" "$LIBDIR/libmoneykit.a" 0644 strip
  put "$MK_HEADER" "$INCLUDEDIR/moneykit.h" 0644
  put "$MK_CPP_HEADER" "$INCLUDEDIR/moneykit.hpp" 0644
  for f in "$cpp_dir"/*.hpp; do put "$f" "$INCLUDEDIR/moneykit/${f##*/}" 0644; done
  put "$MK_SANDBOX" "$BINDIR/moneykit-sandbox" 0755 strip
  put "$MK_CLI" "$BINDIR/moneykit" 0755 strip
  subst "$here/moneykit.pc.in" "$PKGCONFIGDIR/moneykit.pc"
  subst "$here/moneykit-config.cmake.in" "$CMAKEDIR/moneykit-config.cmake"
  subst "$here/moneykit-config-version.cmake.in" "$CMAKEDIR/moneykit-config-version.cmake"

  # The manifest: this install's entries plus a previous install's that still exist
  # (e.g. the directories an earlier install created, or an older version's library).
  local tmp="$DESTDIR$manifest.tmp.$$" line
  {
    echo "# moneykit-native $MK_VERSION: what \`make install\` created; \`make uninstall\` removes it."
    echo "f $manifest"
    printf '%s\n' "${entries[@]}"
    for f in "${created_dirs[@]}"; do echo "d $f"; done
    if [ -f "$DESTDIR$manifest" ]; then
      while IFS= read -r line; do
        case $line in
          "f "*|"l "*) [ -e "$DESTDIR${line:2}" ] || [ -L "$DESTDIR${line:2}" ] && echo "$line" ;;
          "d "*) [ -d "$DESTDIR${line:2}" ] && echo "$line" ;;
        esac
      done < "$DESTDIR$manifest" || true
    fi
  } | awk '!seen[$0]++' > "$tmp"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$DESTDIR$manifest"
  echo "  installed $manifest"
}

do_uninstall() {
  local -a files=() dirs=()
  local line
  if [ -f "$DESTDIR$manifest" ]; then
    while IFS= read -r line; do
      case $line in
        "f "*|"l "*) files+=("${line:2}") ;;
        "d "*) dirs+=("${line:2}") ;;
      esac
    done < "$DESTDIR$manifest"
  else
    mapfile -t files < <(installed_paths)
  fi
  local f
  for f in "${files[@]}"; do
    if [ -e "$DESTDIR$f" ] || [ -L "$DESTDIR$f" ]; then
      rm -f "$DESTDIR$f"
      echo "  removed $f"
    fi
  done
  # Directories the install created, innermost first, and only once empty.
  if [ ${#dirs[@]} -gt 0 ]; then
    while IFS= read -r f; do
      if [ -d "$DESTDIR$f" ] && rmdir "$DESTDIR$f" 2>/dev/null; then echo "  removed $f/"; fi
    done < <(printf '%s\n' "${dirs[@]}" | awk '{ print length($0) "\t" $0 }' | sort -rn | cut -f2-)
  fi
}

# After a real (not staged) install into a directory the dynamic linker searches,
# refresh its cache so programs find the soname (libmoneykit.so.0.1) at once, as libtool does.
refresh_ld_cache() {
  [ -z "$DESTDIR" ] && [ "$(id -u)" = 0 ] && command -v ldconfig >/dev/null 2>&1 || return 0
  local dirs
  dirs=$(printf '%s\n' /lib /lib64 /usr/lib /usr/lib64; cat /etc/ld.so.conf /etc/ld.so.conf.d/*.conf 2>/dev/null || true)
  if grep -qxF "$LIBDIR" <<<"$dirs"; then
    ldconfig && echo "  ran ldconfig"
  fi
}

case $mode in
  install) do_install; refresh_ld_cache ;;
  uninstall) do_uninstall; refresh_ld_cache ;;
  *) echo "usage: install.sh install|uninstall" >&2; exit 2 ;;
esac

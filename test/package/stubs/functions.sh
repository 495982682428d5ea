# Stand-in for OpenWrt's /lib/functions.sh in a staging root: only default_postinst and
# default_prerm, which the packages' postinst/prerm call. It does what the real ones do on a
# router (IPKG_INSTROOT empty), with every path under the staging root $IPKG_INSTROOT:
#   default_postinst: sources <pkg>.postinst-pkg; runs each /etc/uci-defaults file the package
#     installed (cd to its folder, `.` in a subshell, deleted when it exits 0); `uci commit`;
#     clears the LuCI caches; enables (not on upgrade) and starts the package's init scripts.
#   default_prerm: sources <pkg>.prerm-pkg; stops and disables the init scripts.
# uci defaults read and write the config folder through MPWAN_UCI_DIR; `ubus` is whatever
# stand-in is first on PATH. Starting, stopping, enabling and `uci commit` are logged to
# $IPKG_INSTROOT/tmp/functions.log (procd and uci are not here), and enabling also makes the
# /etc/rc.d links that rc.common's enable makes.

stand_in_log() { mkdir -p "$IPKG_INSTROOT/tmp"; echo "$*" >> "$IPKG_INSTROOT/tmp/functions.log"; }

default_postinst() {
	local root="$IPKG_INSTROOT"
	local pkgname="$(basename "${1%.*}")"
	local filelist="$root/usr/lib/opkg/info/${pkgname}.list"
	local ret=0 i start

	if [ -f "$root/usr/lib/opkg/info/${pkgname}.postinst-pkg" ]; then
		( . "$root/usr/lib/opkg/info/${pkgname}.postinst-pkg" )
		ret=$?
	fi

	if grep -m1 -q -s "^/etc/uci-defaults/" "$filelist"; then
		for i in $(grep -s "^/etc/uci-defaults/" "$filelist"); do
			( export MPWAN_UCI_DIR="$root/etc/config"; [ -f "$root$i" ] && cd "$(dirname "$root$i")" && . "$root$i" ) && rm -f "$root$i"
		done
		stand_in_log "uci commit"
	fi
	rm -f "$root/tmp/luci-indexcache"

	for i in $(grep -s "^/etc/init.d/" "$filelist"); do
		if [ "$PKG_UPGRADE" != "1" ]; then
			start=$(sed -n 's/^START=//p' "$root$i")
			mkdir -p "$root/etc/rc.d"
			[ -n "$start" ] && ln -sf "../init.d/${i##*/}" "$root/etc/rc.d/S$start${i##*/}"
			stand_in_log "enable $i"
		fi
		stand_in_log "start $i"
	done
	return $ret
}

default_prerm() {
	local root="$IPKG_INSTROOT"
	local pkgname="$(basename "${1%.*}")"
	local filelist="$root/usr/lib/opkg/info/${pkgname}.list"
	local ret=0 i

	if [ -f "$root/usr/lib/opkg/info/${pkgname}.prerm-pkg" ]; then
		( . "$root/usr/lib/opkg/info/${pkgname}.prerm-pkg" )
		ret=$?
	fi
	for i in $(grep -s "^/etc/init.d/" "$filelist"); do
		stand_in_log "stop $i"
		rm -f "$root"/etc/rc.d/[SK][0-9][0-9]"${i##*/}"
		stand_in_log "disable $i"
	done
	return $ret
}

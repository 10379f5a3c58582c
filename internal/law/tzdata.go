package law

// Embed the time zone database: Europe/Berlin must resolve on machines
// without /usr/share/zoneinfo (containers, Windows).
import _ "time/tzdata"

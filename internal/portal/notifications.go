package portal

import (
	"net/http"
	"strconv"
	"time"

	"github.com/pflicht/pflicht/internal/store"
)

// notificationsPerPage bounds one page of the list; older ones follow on
// the next page.
const notificationsPerPage = 50

// notificationKinds names the kinds other parts of pflicht send; a kind
// not listed is shown as it is.
var notificationKinds = map[string]string{
	"cra-kev":   "notifications.kind_cra_kev",
	"deadline":  "notifications.kind_deadline",
	"authority": "notifications.kind_authority",
}

// notificationFlashes are the confirmations after marking (?read=…).
var notificationFlashes = map[string]string{
	"one": "notifications.flash_read",
	"all": "notifications.flash_read_all",
}

var channelLabels = map[string]string{
	store.ChannelEmail:   "notifications.channel_email",
	store.ChannelWebhook: "notifications.channel_webhook",
}

type notificationRow struct {
	store.Notification
	Kind       string // message key, or the raw kind
	KindKnown  bool
	Link       string // "" unless a local path
	Deliveries []deliveryRow
}

// deliveryRow is one channel's state in words: State is a message key.
type deliveryRow struct {
	Channel, State, StatusClass string
	At                          *time.Time
	Error                       string
}

type notificationsData struct {
	OrgID, OrgName string
	Flash          string
	Rows           []notificationRow
	Unread         int
	Older          string // link to the next page, "" on the last
}

// deliveryRows says per channel what became of a notification.
func deliveryRows(ds []store.DeliveryState) []deliveryRow {
	var out []deliveryRow
	for _, d := range ds {
		row := deliveryRow{Channel: channelLabels[d.Channel], Error: d.LastError}
		switch {
		case d.DeliveredAt != nil:
			row.State, row.StatusClass, row.At, row.Error = "notifications.delivered", "ok", d.DeliveredAt, ""
		case d.FailedAt != nil:
			row.State, row.StatusClass, row.At = "notifications.failed", "bad", d.FailedAt
		default:
			next := d.NextAttempt
			row.State, row.StatusClass, row.At = "notifications.retrying", "due", &next
		}
		if row.Channel == "" {
			row.Channel = d.Channel
		}
		out = append(out, row)
	}
	return out
}

func notificationRows(ns []store.Notification) ([]notificationRow, int) {
	rows := make([]notificationRow, 0, len(ns))
	unread := 0
	for _, n := range ns {
		r := notificationRow{Notification: n, Kind: n.Kind, Deliveries: deliveryRows(n.Deliveries)}
		if k, ok := notificationKinds[n.Kind]; ok {
			r.Kind, r.KindKnown = k, true
		}
		// The store accepts only local paths; checked again here so a page
		// can never link off the portal.
		if n.Link != "" && localPath(n.Link) == n.Link {
			r.Link = n.Link
		}
		if n.ReadAt == nil {
			unread++
		}
		rows = append(rows, r)
	}
	return rows, unread
}

func (s *Server) notificationsPage(w http.ResponseWriter, r *http.Request) {
	ctx, a, org := r.Context(), state(r).user.actor(), r.PathValue("org")
	var before int64
	if v := r.URL.Query().Get("before"); v != "" {
		var err error
		if before, err = strconv.ParseInt(v, 10, 64); err != nil || before <= 0 {
			s.renderError(w, r, http.StatusBadRequest, "notifications.bad_before")
			return
		}
	}
	o, err := s.store.Organisation(ctx, a, org)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ns, more, err := s.store.NotificationPage(ctx, a, o.ID, before, notificationsPerPage)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := notificationsData{OrgID: o.ID, OrgName: o.Name, Flash: notificationFlashes[r.URL.Query().Get("read")]}
	d.Rows, d.Unread = notificationRows(ns)
	if more {
		d.Older = "/orgs/" + o.ID + "/notifications?before=" + strconv.FormatInt(ns[len(ns)-1].ID, 10)
	}
	s.render(w, r, http.StatusOK, "notifications", "notifications.title", page{Data: d})
}

func (s *Server) markNotificationRead(w http.ResponseWriter, r *http.Request) {
	org := r.PathValue("org")
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.renderError(w, r, http.StatusNotFound, "error.not_found")
		return
	}
	if err := s.store.MarkNotificationRead(r.Context(), state(r).user.actor(), id); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+org+"/notifications?read=one#notification-"+strconv.FormatInt(id, 10), http.StatusSeeOther)
}

func (s *Server) markAllNotificationsRead(w http.ResponseWriter, r *http.Request) {
	org := r.PathValue("org")
	if _, err := s.store.MarkAllNotificationsRead(r.Context(), state(r).user.actor(), org); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+org+"/notifications?read=all", http.StatusSeeOther)
}

// notificationRoutes: an organisation's notifications.
func (s *Server) notificationRoutes(handle handleFunc) {
	handle("GET /orgs/{org}/notifications", s.signedIn(s.notificationsPage))
	handle("POST /orgs/{org}/notifications/read", s.signedIn(s.markAllNotificationsRead))
	handle("POST /orgs/{org}/notifications/{id}/read", s.signedIn(s.markNotificationRead))
}

// unreadBadge is the navigation's pointer to unread notifications: how
// many across the user's organisations, and the page of the organisation
// with the newest. Label is its message key, with the count as argument.
type unreadBadge struct {
	Count       int
	Href, Label string
}

// navUnread returns the badge for a signed-in user with unread
// notifications, nil otherwise. It costs one grouped COUNT query per page
// view; a failure is logged and leaves the badge out rather than the page.
func (s *Server) navUnread(r *http.Request) *unreadBadge {
	u := state(r).user
	if u == nil {
		return nil
	}
	un, err := s.store.UnreadNotifications(r.Context(), u.actor())
	if err != nil {
		s.log.Error("unread notifications", "err", err)
		return nil
	}
	if len(un) == 0 {
		return nil
	}
	b := &unreadBadge{Href: "/orgs/" + un[0].OrgID + "/notifications", Label: "notifications.nav_unread"}
	for _, o := range un {
		b.Count += o.Count
	}
	return b
}

package web_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"dudao/domain"
)

// TestNtfInbox: the inbox holds the caller's own notifications only, unread first and newest first,
// paged; reading someone else's is 404; read-all counts what it marked.
func TestNtfInbox(t *testing.T) {
	e := accNewEnv(t, "sqlite")
	e.login(t, "school.hbw1", "school.hbw2")
	me, other := e.user(t, "school.hbw1"), e.user(t, "school.hbw2")
	ctx := context.Background()
	base := e.clock.Now()
	theirsBefore := e.inbox(t, "school.hbw2") // what the demo's year left there
	var ids []int64
	for i := 0; i < 5; i++ {
		n := domain.Message{Kind: domain.NotifyFindingOverdue, Title: fmt.Sprintf("提醒%d", i), Body: "正文", Link: "/cases/1",
			Key: fmt.Sprintf("ntf-test:%d", i)}.For(me.ID, base.Add(time.Duration(i)*time.Minute))
		if created, err := e.db.AddNotification(ctx, &n); err != nil || !created {
			t.Fatalf("add: %v %v", created, err)
		}
		ids = append(ids, n.ID)
	}
	theirs := domain.Message{Kind: domain.NotifyFindingOverdue, Title: "别人的", Key: "ntf-test:x"}.For(other.ID, base)
	if _, err := e.db.AddNotification(ctx, &theirs); err != nil {
		t.Fatal(err)
	}
	// Read the newest; it goes to the end.
	e.mustCall(t, "school.hbw1", http.MethodPost, fmt.Sprintf("/api/v1/notifications/%d/read", ids[4]), map[string]any{}, http.StatusOK)
	var page struct {
		Items   []accNotification `json:"items"`
		Total   int               `json:"total"`
		Unread  int               `json:"unread"`
		Page    int               `json:"page"`
		PerPage int               `json:"per_page"`
	}
	e.decode(t, e.mustCall(t, "school.hbw1", http.MethodGet, "/api/v1/notifications?per_page=2&page=1", nil, http.StatusOK), &page)
	if page.Total != 5 || page.Unread != 4 || page.PerPage != 2 || len(page.Items) != 2 || page.Items[0].ID != ids[3] || page.Items[1].ID != ids[2] {
		t.Fatalf("first page: %+v", page)
	}
	e.decode(t, e.mustCall(t, "school.hbw1", http.MethodGet, "/api/v1/notifications?per_page=2&page=3", nil, http.StatusOK), &page)
	if len(page.Items) != 1 || page.Items[0].ID != ids[4] || !page.Items[0].Read {
		t.Fatalf("last page: %+v", page)
	}
	e.wantError(t, e.call(t, "school.hbw1", http.MethodGet, "/api/v1/notifications?per_page=500", nil), http.StatusUnprocessableEntity, "per_page")
	e.wantError(t, e.call(t, "school.hbw1", http.MethodPost, fmt.Sprintf("/api/v1/notifications/%d/read", theirs.ID), map[string]any{}), http.StatusNotFound, "")
	e.wantError(t, e.call(t, "school.hbw1", http.MethodPost, "/api/v1/notifications/abc/read", map[string]any{}), http.StatusNotFound, "")
	e.wantError(t, e.call(t, "", http.MethodGet, "/api/v1/notifications", nil), http.StatusUnauthorized, "")
	var upd map[string]int
	e.decode(t, e.mustCall(t, "school.hbw1", http.MethodPost, "/api/v1/notifications/read-all", map[string]any{}, http.StatusOK), &upd)
	if upd["updated"] != 4 {
		t.Errorf("read-all updated %d, want 4", upd["updated"])
	}
	if in := e.inbox(t, "school.hbw2"); in.Total != theirsBefore.Total+1 || in.Unread != theirsBefore.Unread+1 {
		t.Errorf("the other user's inbox changed: %+v", in)
	}
}

// TestNtfEmailSetting: the caller's address is checked and kept.
func TestNtfEmailSetting(t *testing.T) {
	e := accNewEnv(t, "sqlite")
	e.login(t, "school.hbw1")
	e.wantError(t, e.call(t, "school.hbw1", http.MethodPut, "/api/v1/notifications/email", map[string]string{"email": "不是邮箱"}), http.StatusUnprocessableEntity, "email")
	e.mustCall(t, "school.hbw1", http.MethodPut, "/api/v1/notifications/email", map[string]string{"email": " a@b.example "}, http.StatusOK)
	var got map[string]string
	e.decode(t, e.mustCall(t, "school.hbw1", http.MethodGet, "/api/v1/notifications/email", nil, http.StatusOK), &got)
	if got["email"] != "a@b.example" {
		t.Errorf("email = %q", got["email"])
	}
	e.mustCall(t, "school.hbw1", http.MethodPut, "/api/v1/notifications/email", map[string]string{"email": ""}, http.StatusOK)
	e.decode(t, e.mustCall(t, "school.hbw1", http.MethodGet, "/api/v1/notifications/email", nil, http.StatusOK), &got)
	if got["email"] != "" {
		t.Errorf("cleared email = %q", got["email"])
	}
}

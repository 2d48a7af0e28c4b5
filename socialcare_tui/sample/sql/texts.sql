-- Message texts for the sample generators. {o} becomes an order number and
-- {c} the conversation id. Some texts carry clear sentiment words so the
-- sentiment KPI has something to find; topic words match the topic_rules of
-- sample_data/config.toml.

-- name: macros
CREATE OR REPLACE MACRO sc_ev(s, keep, ts, type, dir, who, payload) AS {
    s: s::INT, keep: coalesce(keep, false), ts: ts::BIGINT, type: type::VARCHAR, dir: dir::VARCHAR,
    who: who::VARCHAR,
    text: CASE WHEN type = 'message' THEN payload::VARCHAR END,
    value: CASE WHEN type <> 'message' THEN payload::VARCHAR END};

CREATE OR REPLACE MACRO sc_texts_first(topic) AS CASE topic
    WHEN 'delivery' THEN [
        'Where is my order {o}? It was due on Monday.',
        'My parcel {o} still hasn''t arrived, tracking hasn''t moved in 3 days',
        'The courier says delivered but there is no package! Order {o}',
        'Order {o} arrived damaged, the box was crushed :(',
        'Hi, any news on the delivery of {o}? Thanks']
    WHEN 'refunds' THEN [
        'I returned order {o} two weeks ago, where is my refund?',
        'How long does a refund take? Order {o}',
        'I want a refund for order {o}, the item is faulty',
        'Still no refund for {o}. This is ridiculous']
    WHEN 'billing' THEN [
        'I was charged twice for order {o}!!',
        'Can I get an invoice for order {o}?',
        'Why did my bill go up this month?',
        'How do I change my plan? The current one is too expensive']
    WHEN 'login' THEN [
        'I can''t log in to my account, the password reset email never arrives',
        'Locked out of my account after the 2FA code failed',
        'The reset password link says expired',
        'Can''t sign in on the app, it keeps saying invalid password']
    ELSE [
        'Is the app down? Nothing loads',
        'Website not working, error 503 everywhere',
        'Your app keeps crashing since this morning. Terrible.',
        'Is there an outage? I can''t place orders']
    END;

CREATE OR REPLACE MACRO sc_texts_nudge() AS [
    'Hello?', 'Any update on this?', 'Still waiting...', 'Can someone please answer',
    'Order number is {o}', 'I''ve been waiting for ages, this is awful', '??'];

CREATE OR REPLACE MACRO sc_texts_next() AS [
    'Thanks, but it still doesn''t work', 'Ok, I sent you a DM with the details',
    'That didn''t help at all', 'Here is my order number: {o}', 'Thank you!',
    'Great, thanks for the quick help 👍', 'How long will that take?'];

CREATE OR REPLACE MACRO sc_texts_reopen() AS [
    'It happened again.', 'Still haven''t received anything, reopening this',
    'The problem is back', 'You said it was fixed but it is not'];

CREATE OR REPLACE MACRO sc_texts_fix(topic) AS CASE topic
    WHEN 'delivery' THEN [
        'I''ve checked order {o}: it is with the courier and due tomorrow.',
        'I''ve opened a claim with the courier for order {o} and will update you.',
        'So sorry it arrived damaged! A replacement for {o} is on its way.']
    WHEN 'refunds' THEN [
        'I can see the return for {o}; your refund was issued today.',
        'I''ve escalated the refund for {o} to our finance team.']
    WHEN 'billing' THEN [
        'I''ve refunded the duplicate charge on {o}; it will show in 3-5 days.',
        'Your invoice for {o} has been sent to your email.',
        'I''ve moved you to the cheaper plan from your next bill.']
    WHEN 'login' THEN [
        'I''ve reset your account; please try signing in again now.',
        'I''ve disabled 2FA for now so you can sign in and set it up again.']
    ELSE [
        'The issue is fixed now; please restart the app. Sorry for the trouble!',
        'Our engineers are still working on it; we''ll update you within the hour.']
    END;

CREATE OR REPLACE MACRO sc_texts_close() AS [
    'Glad to help! Anything else?', 'Thanks for the details, I''ve passed this on to the team.',
    'It should be sorted within 24 hours.', 'You''re welcome, have a nice day!'];

CREATE OR REPLACE MACRO sc_texts_brand() AS [
    'Hi! Your order {o} is delayed by a day, sorry. We''ll keep you posted.',
    'Hi, your last payment did not go through. Could you check your card details?',
    'Following up on your recent chat: did the fix work for you?'];

CREATE OR REPLACE MACRO sc_bot_text(channel) AS CASE channel
    WHEN 'whatsapp' THEN 'Thanks for your message! 🤖 An agent will be with you shortly.'
    WHEN 'webchat' THEN 'You''re in the queue. An agent will join the chat soon.'
    WHEN 'facebook' THEN 'Thanks for contacting Acme! We usually reply within an hour.'
    ELSE 'We have received your email (ref {c}) and will reply within 24 hours.' END;

CREATE OR REPLACE MACRO sc_bot_answer(topic) AS CASE topic
    WHEN 'delivery' THEN 'You can track your order here: https://acme.example/track. Reply AGENT to talk to a person.'
    WHEN 'refunds' THEN 'Refunds take 5-7 working days: https://acme.example/refunds. Reply AGENT to talk to a person.'
    WHEN 'billing' THEN 'Your invoices are in your account: https://acme.example/billing. Reply AGENT to talk to a person.'
    WHEN 'login' THEN 'Reset your password here: https://acme.example/reset. Reply AGENT to talk to a person.'
    ELSE 'Live service status: https://status.acme.example. Reply AGENT to talk to a person.' END;

-- canned responses: id and text
CREATE OR REPLACE MACRO sc_quick_ids() AS
    ['qr-greeting', 'qr-dm', 'qr-track', 'qr-refund', 'qr-password', 'qr-outage', 'qr-thanks'];
CREATE OR REPLACE MACRO sc_quick_texts() AS [
    'Hi, thanks for reaching out! We''re looking into this for you now.',
    'Sorry about that! Please send us a DM with your order number so we can check.',
    'Your order is on its way; you can follow it on the tracking page. Sorry for the wait!',
    'Refunds reach your account within 5-7 working days after we receive the return.',
    'Please use the ''Forgot password'' link on the sign-in page; the email can take 10 minutes.',
    'We''re aware of an issue affecting the app and website and are working on a fix. Sorry!',
    'Happy to help! Let us know if there''s anything else.'];
CREATE OR REPLACE MACRO sc_quick_text(id) AS sc_quick_texts()[list_position(sc_quick_ids(), id)];
CREATE OR REPLACE MACRO sc_quick_id_of(text) AS sc_quick_ids()[list_position(sc_quick_texts(), text)];
CREATE OR REPLACE MACRO sc_quick_id(topic, u) AS CASE
    WHEN u < 0.2 THEN 'qr-greeting'
    WHEN topic = 'delivery' THEN CASE WHEN u < 0.6 THEN 'qr-track' ELSE 'qr-dm' END
    WHEN topic = 'refunds' THEN 'qr-refund'
    WHEN topic = 'billing' THEN 'qr-dm'
    WHEN topic = 'login' THEN 'qr-password'
    ELSE 'qr-outage' END;

-- Free-text replies get a greeting with the customer's first name and a
-- closing, so they do not repeat like canned responses (1,250 variants each).
CREATE OR REPLACE MACRO sc_first_names() AS [
    'Ana', 'Ben', 'Carla', 'Dmitri', 'Emma', 'Fatima', 'George', 'Hana', 'Ivan', 'Julia',
    'Kofi', 'Lena', 'Marco', 'Nadia', 'Oscar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tara',
    'Umar', 'Vera', 'Wei', 'Ximena', 'Yusuf', 'Zoe', 'Aiko', 'Bruno', 'Chen', 'Dara',
    'Elif', 'Finn', 'Gita', 'Hugo', 'Ines', 'Jonas', 'Kira', 'Luis', 'Maya', 'Nils',
    'Olga', 'Pablo', 'Rania', 'Sami', 'Tomás', 'Uma', 'Viktor', 'Wanda', 'Yara', 'Zane'];
CREATE OR REPLACE MACRO sc_vary(text, u_name, u_form) AS
    replace(sc_pick(['Hi {n}! ', 'Hello {n}, ', 'Thanks {n}. ', 'Sorry about this, {n}. ', '{n}, '], u_form),
            '{n}', sc_pick(sc_first_names(), u_name))
    || text
    || sc_pick(['', ' Have a good day.', ' Let us know if anything else comes up.', ' 🙂',
                ' Thanks for your patience.'], u_form * 5 % 1);
